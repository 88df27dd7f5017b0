// Where the replies to a request go: into a thread started on its request message, made once; or,
// where the bot may not start threads (Discord refuses with 50001 Missing Access or 50013 Missing
// Permissions: the server did not give it Create Public Threads), into the channel itself, each
// reply pointing at the request message (a Discord reply, `message_reference`). Without this the
// progress and results of every request in such a channel were never delivered.
//
// The operator hears of it once per channel, not per message: a warn log, and one message in
// the channel naming the missing permission (remembered in Redis, so a restart does not repeat
// it). A request that fell back keeps its replies in the channel; a channel that refused is
// asked again ten minutes later, so granting the permission takes effect without a restart.
import { DiscordAPIError, Routes } from 'discord.js';
import type { Logger } from '../../logger.js';
import { truncate } from '../card-marks.js';
import type { MessageRefs } from '../message-refs.js';
import type { DiscordThread } from './discord-thread.js';

export interface ReplyTarget {
  /** The thread's id (equal to the request message's), or the channel's. */
  channel: string;
  /** In the channel: the request message the reply points at. */
  replyTo?: string;
}

export interface RequestThreadsOptions {
  /** A bot-token POST (discord.js's REST). */
  post(route: `/${string}`, body: object): Promise<unknown>;
  /** Where "the operator was told about this channel" is remembered. */
  refs: MessageRefs;
  logger: Logger;
  now?: () => number;
}

/** Discord's code for "A thread has already been created for this message". */
const THREAD_ALREADY_CREATED = 160004;
/** Discord's codes for a refusal for want of permissions. */
export const MISSING_ACCESS = 50001;
export const MISSING_PERMISSIONS = 50013;
const THREAD_NAME_MAX = 100;
/** Threads are archived after a day without messages; a message unarchives them. */
const THREAD_ARCHIVE_MINUTES = 1440;
/** How long a channel that refused a thread is not asked again. */
const ASK_AGAIN_AFTER_MS = 10 * 60_000;
/** Requests whose reply place is remembered; the oldest are forgotten (they are asked again). */
const REQUESTS_REMEMBERED = 10_000;

export const THREADS_REFUSED_NOTICE =
  '⚠️ I may not start threads in this channel, so the progress and results of each request now ' +
  'follow it here, as replies. To keep them in threads, give me the **Create Public Threads** and ' +
  '**Send Messages in Threads** permissions in this channel.';

function isPermissionRefusal(error: unknown): error is DiscordAPIError {
  return (
    error instanceof DiscordAPIError && (error.code === MISSING_ACCESS || error.code === MISSING_PERMISSIONS)
  );
}

export class RequestThreads {
  readonly #o: RequestThreadsOptions;
  readonly #now: () => number;
  /** Per request message: whether its replies go to its thread (true) or the channel (false). */
  readonly #requests = new Map<string, Promise<boolean>>();
  /** Channels that refused a thread, and when. */
  readonly #refusedAt = new Map<string, number>();
  /** Channels whose refusal this process already reported. */
  readonly #told = new Set<string>();

  constructor(options: RequestThreadsOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  /** Where a reply to `thread` goes; starts the thread the first time. */
  async replyTarget(thread: DiscordThread): Promise<ReplyTarget> {
    const request = thread.message;
    // A message to a channel itself (the daily digest), or a request made inside a thread
    // (Discord has no thread of a thread): the replies follow in that channel.
    if (request === undefined || thread.replies === 'channel') return { channel: thread.channel };
    let inThread = this.#requests.get(request);
    if (!inThread) {
      inThread = this.#startThread(thread, request).catch((error: unknown) => {
        this.#requests.delete(request);
        throw error;
      });
      this.#requests.set(request, inThread);
      for (const old of this.#requests.keys()) {
        if (this.#requests.size <= REQUESTS_REMEMBERED) break;
        this.#requests.delete(old);
      }
    }
    return (await inThread) ? { channel: request } : { channel: thread.channel, replyTo: request };
  }

  async #startThread(thread: DiscordThread, request: string): Promise<boolean> {
    const refusedAt = this.#refusedAt.get(thread.channel);
    if (refusedAt !== undefined && this.#now() - refusedAt < ASK_AGAIN_AFTER_MS) return false;
    try {
      await this.#o.post(Routes.threads(thread.channel, request), {
        name: truncate(thread.command?.trim() || 'pve', THREAD_NAME_MAX),
        auto_archive_duration: THREAD_ARCHIVE_MINUTES,
      });
    } catch (error) {
      // Made before a restart, or by another replica: it is there, which is all that matters.
      if (error instanceof DiscordAPIError && error.code === THREAD_ALREADY_CREATED) return true;
      if (!isPermissionRefusal(error)) throw error;
      this.#refusedAt.set(thread.channel, this.#now());
      await this.#tellOperator(thread.channel, error);
      return false;
    }
    this.#refusedAt.delete(thread.channel);
    return true;
  }

  async #tellOperator(channel: string, error: DiscordAPIError): Promise<void> {
    // Once per channel: later refusals (other requests, after ten minutes) say nothing more.
    if (this.#told.has(channel)) return;
    this.#told.add(channel);
    this.#o.logger.warn(
      { channel, status: error.status, code: error.code, error: error.message },
      'cannot start threads in this Discord channel (the bot needs Create Public Threads and Send Messages in Threads); replies go to the channel instead',
    );
    // The channel hears it once, also across restarts and replicas.
    const key = `notice/${channel}/threads-refused`;
    if ((await this.#o.refs.get(key).catch(() => undefined)) !== undefined) return;
    await this.#o.refs.set(key, 'told').catch(() => undefined);
    await this.#o
      .post(Routes.channelMessages(channel), {
        content: THREADS_REFUSED_NOTICE,
        allowed_mentions: { parse: [] },
      })
      .catch((postError: unknown) =>
        this.#o.logger.warn(
          { channel, error: postError instanceof Error ? postError.message : String(postError) },
          'cannot tell the channel that threads are refused',
        ),
      );
  }
}
