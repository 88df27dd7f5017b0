// Slack through Bolt, in either connection mode behind the same handlers: HTTP (Slack POSTs to
// /slack/events, signature-checked with the signing secret) or Socket Mode (an app-level token).
// `/pve …` is acknowledged before anything else and handed to the core, which answers mistakes
// and refusals to the person alone; only a command it accepts gets its public request message
// (openRequestThread), whose thread receives everything that follows. Buttons are acknowledged
// and handed to the core. Commands and clicks from workspaces the bot does not serve (a Slack
// Connect channel shared with another company) are answered privately and go no further.
// Cards become Block Kit; messages with a key are edited in place through an EditCoalescer. A
// message's files (the digest's chart) are uploaded after its card, into the same thread.
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, type RespondFn, type SlashCommand, type webApi } from '@slack/bolt';
import type { ChatEvent, ChatUser } from '../../core/chat-event.js';
import type { CoreApi } from '../../core/core-api.js';
import type { Attachment, CardStatus, OutgoingMessage } from '../../core/message.js';
import { quoteCommandText } from '../../core/quote-command-text.js';
import type { ThreadRef } from '../../jobs/job-events.js';
import type { Logger } from '../../logger.js';
import type { Metrics } from '../../metrics.js';
import type { ChatAdapter } from '../adapter.js';
import { EditCoalescer } from '../edit-coalescer.js';
import { MemoryMessageRefs, type MessageRefs, rememberingWrite } from '../message-refs.js';
import { boltLogger } from './bolt-logger.js';
import { countingFetch } from './counting-fetch.js';
import { guardSlackEvents } from './guard-slack-events.js';
import { actionOfActionId, renderCardBlocks, type SlackMessageBody } from './render-card-blocks.js';
import { renderRequestMessage } from './render-request-message.js';
import { respondThrough } from './respond-through.js';
import {
  isServed,
  originOfAction,
  originOfCommand,
  type SlackAudience,
  type SlackOrigin,
  slackAudience,
} from './slack-audience.js';
import { slackErrorText as errorText } from './slack-error-text.js';
import { type SlackThread, slackThreadOf, slackUserId } from './slack-thread.js';
import { SlackUserGroups } from './slack-user-groups.js';
import { uploadAttachments } from './upload-attachments.js';

export interface SlackAdapterOptions {
  /** The bot token (xoxb-…). */
  botToken: string;
  /** HTTP mode: Slack POSTs to http(s)://host:port/slack/events, checked with this secret. */
  signingSecret?: string;
  /** Socket Mode (preferred when both are set): an app-level token (xapp-…). */
  appToken?: string;
  /** The Web API base URL; tests point it at a fake Slack (and then turn Bolt's retries off). */
  apiUrl?: string;
  /** HTTP mode: the port to listen on (0: any free port, see `port`). Default 3000. */
  port?: number;
  /**
   * HTTP mode without a server of its own: the process's ops server (on PORT, beside /healthz)
   * serves `/slack/events` through `requestListener`, Bolt's signature check included.
   */
  mounted?: boolean;
  /** Workspaces served besides the bot's own (SLACK_TEAM_IDS). */
  teamIds?: readonly string[];
  /** Enterprise Grid organisations served, every workspace of each (SLACK_ENTERPRISE_IDS). */
  enterpriseIds?: readonly string[];
  logger: Logger;
  /** Where keyed messages' ids are kept across restarts (RedisMessageRefs); in memory by default. */
  messageRefs?: MessageRefs;
  /** The user group ids the policy names (policyGroupIds(policy)); only these are looked up. */
  userGroups?: string[];
  userGroupCacheMs?: number;
  /** At most one edit per message this often. */
  editIntervalMs?: number;
  /** Counts failed Web API calls (`pve_chatops_chat_api_errors_total{platform="slack"}`). */
  metrics?: Metrics | undefined;
}

export const SLACK_COMMAND = '/pve';
export const SLACK_EVENTS_PATH = '/slack/events';

/** What a person from a workspace the bot does not serve is told; nothing else happens. */
export const FOREIGN_WORKSPACE_TEXT =
  'pve-chatops serves its own workspace only: your workspace is not one it is set up for, so nothing was run.';

/** Statuses after which a message may still change; any other is final. */
const OPEN_STATUSES: ReadonlySet<CardStatus> = new Set(['running', 'pending']);
/** WebClient errors worth another attempt: rate limits (Retry-After already waited), network, 5xx. */
const RETRYABLE_CODES = new Set(['slack_webapi_rate_limited_error', 'slack_webapi_request_error']);

interface EditContent {
  channel: string;
  thread_ts?: string;
  body: SlackMessageBody;
  final: boolean;
  /** Uploaded once, when the message is first posted; edits never post them again. */
  attachments?: readonly Attachment[];
}

function isRetryable(error: unknown): boolean {
  const { code, statusCode } = error as { code?: unknown; statusCode?: unknown };
  if (typeof code !== 'string') return false;
  return (
    RETRYABLE_CODES.has(code) ||
    (code === 'slack_webapi_http_error' && typeof statusCode === 'number' && statusCode >= 500)
  );
}

export class SlackAdapter implements ChatAdapter {
  readonly platform = 'slack';
  readonly mode: 'http' | 'socket';
  readonly #options: SlackAdapterOptions;
  readonly #logger: Logger;
  readonly #app: App;
  readonly #client: webApi.WebClient;
  readonly #groups: SlackUserGroups;
  readonly #edits: EditCoalescer<EditContent, string>;
  #core: CoreApi | undefined;
  #started = false;
  #port: number | undefined;
  #receiver: HTTPReceiver | undefined;
  /** HTTP mode: Bolt's listener behind our own checks (method, future timestamps). */
  #eventsListener: RequestListener | undefined;
  /** HTTP mode, not mounted: the server of our own on `port`. */
  #server: Server | undefined;
  /** Whom the bot serves; known once auth.test answered at start. */
  #audience: SlackAudience | undefined;
  /** The bot's name in the workspace, for "invite me" advice. */
  #botName = 'pve-chatops';
  /**
   * Request threads opened, by request id (bounded): each request's message is posted once,
   * and a message addressed to the request before its thread existed still finds it.
   */
  readonly #opened = new Map<string, Promise<SlackThread>>();
  /** Which message a key became, shared by the replicas (message-refs.ts). */
  readonly #refs: MessageRefs;

  constructor(options: SlackAdapterOptions) {
    if (!options.botToken) throw new Error('SlackAdapter needs a bot token (xoxb-…)');
    if (!options.appToken && !options.signingSecret) {
      throw new Error('SlackAdapter needs a signing secret (HTTP mode) or an app token (Socket Mode)');
    }
    this.#options = options;
    this.#logger = options.logger;
    this.mode = options.appToken ? 'socket' : 'http';
    const clientOptions: webApi.WebClientOptions = {
      rejectRateLimitedCalls: false,
      ...(options.apiUrl ? { slackApiUrl: options.apiUrl, retryConfig: { retries: 0 } } : {}),
      ...(options.metrics ? { fetch: countingFetch(() => options.metrics?.countChatApiError('slack')) } : {}),
    };
    const common = {
      token: options.botToken,
      logger: boltLogger(options.logger),
      clientOptions,
      // No network in the constructor: start() runs auth.test through app.init().
      deferInitialization: true,
      // Bolt's conversation store is a middleware on every request; nothing here uses it.
      convoStore: false as const,
    };
    if (!options.appToken) {
      // HTTP mode: Bolt's receiver never listens itself; its request listener is served behind
      // our checks, by the ops server (mounted) or by a server of ours (start()).
      this.#receiver = new HTTPReceiver({
        signingSecret: options.signingSecret!,
        endpoints: SLACK_EVENTS_PATH,
        logger: common.logger,
      });
      this.#eventsListener = guardSlackEvents(this.#receiver.requestListener, {
        onRefused: (why) => this.#logger.warn(why, 'refused a request to /slack/events'),
      });
    }
    this.#app = this.#receiver
      ? new App({ ...common, receiver: this.#receiver })
      : new App({ ...common, appToken: options.appToken!, socketMode: true });
    this.#client = this.#app.client;
    this.#app.error(async (error) => {
      this.#logger.error({ error: errorText(error) }, 'Slack listener failed');
    });
    this.#groups = new SlackUserGroups({
      groupIds: options.userGroups ?? [],
      listMembers: async (usergroup) => (await this.#client.usergroups.users.list({ usergroup })).users ?? [],
      cacheMs: options.userGroupCacheMs ?? 60_000,
      logger: options.logger,
    });
    this.#refs = options.messageRefs ?? new MemoryMessageRefs();
    this.#edits = new EditCoalescer<EditContent, string>({
      // At most one edit per 2 s per message, as the platform sees it (docs/architecture.md,
      // "Performance targets"): 2.1 s here leaves room for network jitter between two edits.
      intervalMs: options.editIntervalMs ?? 2_100,
      isFinal: (content) => content.final,
      retryable: isRetryable,
      write: rememberingWrite(this.#refs, options.logger, (_key, content, ts) => this.#write(content, ts)),
      onError: (key, error) =>
        this.#logger.warn({ key, error: errorText(error) }, 'cannot edit a Slack message'),
    });
  }

  /** HTTP mode: the port the receiver listens on, once started. */
  get port(): number | undefined {
    return this.#port;
  }

  async start(core: CoreApi): Promise<void> {
    if (this.#started) throw new Error('the Slack adapter is already started');
    this.#core = core;
    this.#app.command(SLACK_COMMAND, async ({ command, ack, respond }) => {
      const origin = originOfCommand(command);
      if (!this.#serves(origin)) {
        // Said in the ack itself: Slack shows it to the person alone, and nothing else happens.
        await ack({ response_type: 'ephemeral', text: FOREIGN_WORKSPACE_TEXT });
        this.#logger.warn(
          { ...origin, user: command.user_id, channel: command.channel_id },
          'a Slack command from a workspace not served; nothing run',
        );
        return;
      }
      await ack();
      await this.#onCommand(command, respond);
    });
    this.#app.action(/.+/, async ({ ack, body, action, respond }) => {
      await ack();
      if (body.type !== 'block_actions' || action.type !== 'button' || !('action_id' in action)) return;
      const origin = originOfAction(body);
      if (!this.#serves(origin)) {
        this.#logger.warn(
          { ...origin, user: body.user.id, action: action.action_id },
          'a Slack button press from a workspace not served; nothing done',
        );
        await respond({
          response_type: 'ephemeral',
          replace_original: false,
          text: FOREIGN_WORKSPACE_TEXT,
        }).catch((error: unknown) => this.#logger.warn({ error: errorText(error) }, 'cannot respond'));
        return;
      }
      await this.#onButton(body, action);
    });
    await this.#app.init();
    // Who we are: the workspace (or organisation) served by default, and the name to invite.
    const self = await this.#client.auth.test();
    this.#audience = slackAudience(self, {
      teamIds: this.#options.teamIds ?? [],
      enterpriseIds: this.#options.enterpriseIds ?? [],
    });
    if (typeof self.user === 'string' && self.user !== '') this.#botName = self.user;
    if (this.mode === 'socket') {
      await this.#app.start();
    } else if (!this.#options.mounted) {
      this.#server = await this.#listen(this.#options.port ?? 3000);
      this.#port = (this.#server.address() as AddressInfo).port;
    }
    this.#started = true;
    this.#logger.info(
      {
        mode: this.mode,
        port: this.#port,
        teams: [...this.#audience.teams],
        enterprises: [...this.#audience.enterprises],
      },
      'Slack adapter started',
    );
  }

  /** Mounted HTTP mode: the handler of /slack/events, for the ops server. */
  get requestListener(): RequestListener | undefined {
    return this.#options.mounted ? this.#eventsListener : undefined;
  }

  async stop(): Promise<void> {
    await this.#edits.drain();
    if (!this.#started) return;
    this.#started = false;
    if (this.mode === 'socket') await this.#app.stop();
    const server = this.#server;
    this.#server = undefined;
    if (server) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }
  }

  /** HTTP mode with a port of its own: /slack/events behind our checks, and /healthz. */
  async #listen(port: number): Promise<Server> {
    const events = this.#eventsListener!;
    const server = createServer((request, response) => {
      const path = new URL(request.url ?? '/', 'http://localhost').pathname;
      try {
        if (path === SLACK_EVENTS_PATH) {
          events(request, response);
        } else if (path === '/healthz' && (request.method === 'GET' || request.method === 'HEAD')) {
          response.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
        } else {
          response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
        }
      } catch (error) {
        this.#logger.error({ error: errorText(error) }, 'Slack request failed');
        if (!response.headersSent) response.writeHead(500).end();
      }
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return server;
  }

  #serves(origin: SlackOrigin): boolean {
    // Before start() has learnt who we are nothing is served (Bolt delivers nothing before then).
    return this.#audience !== undefined && isServed(origin, this.#audience);
  }

  /**
   * The public record of an accepted command: "<@user> ran `/pve …`" in the channel, its text
   * quoted safely. Its thread is the request's from now on. When the bot cannot post there, the
   * error's message is the advice for the person (the core tells it to them).
   */
  openRequestThread(event: ChatEvent): Promise<ThreadRef> {
    return this.#open(slackThreadOf(event.thread), slackUserId(event.user.id), event.text);
  }

  /**
   * A public message addressed to a command's reference from before its thread existed: it goes
   * to the thread opened for that request, or opens it now from what the reference carries, so
   * nothing public about a command ever lands loose in the channel.
   */
  #threadOfRequest(thread: SlackThread): Promise<SlackThread> {
    return this.#open(thread, thread.user, thread.command ?? '');
  }

  /** Posts the request message once per request, however many ask for its thread at once. */
  #open(thread: SlackThread, userId: string | undefined, text: string): Promise<SlackThread> {
    if (thread.thread_ts) return Promise.resolve(thread);
    const key = thread.request;
    const opening = key ? this.#opened.get(key) : undefined;
    if (opening) return opening;
    const opened = key
      ? this.#postRequestMessageOnce(key, thread, userId ?? thread.user, text)
      : this.#postRequestMessage(thread, userId ?? thread.user, text);
    if (key) {
      this.#opened.set(key, opened);
      opened.catch(() => this.#opened.delete(key));
      // Old entries go: by then their commands are long answered.
      for (const old of [...this.#opened.keys()].slice(0, -1000)) this.#opened.delete(old);
    }
    return opened;
  }

  /**
   * The request message of `request`, posted by whichever replica gets there first: a replica
   * that takes over a request from one that died after posting it finds its ts and goes on in
   * that thread instead of posting a second. (A replica that died between Slack's answer and
   * writing the ts down leaves the one window where a second message can appear.)
   */
  async #postRequestMessageOnce(
    request: string,
    thread: SlackThread,
    userId: string | undefined,
    text: string,
  ): Promise<SlackThread> {
    const refKey = `request:${request}`;
    const posted = await this.#refs.get(refKey);
    if (posted) {
      return {
        platform: 'slack',
        channel: thread.channel,
        thread_ts: posted,
        user: userId ?? 'unknown',
        command: quoteCommandText(text),
      };
    }
    const opened = await this.#postRequestMessage(thread, userId, text);
    await this.#refs
      .set(refKey, opened.thread_ts!)
      .catch((error: unknown) =>
        this.#logger.warn({ error: errorText(error) }, 'cannot remember a request message'),
      );
    return opened;
  }

  async #postRequestMessage(
    thread: SlackThread,
    userId: string | undefined,
    text: string,
  ): Promise<SlackThread> {
    const { channel } = thread;
    const user = userId ?? 'unknown';
    const command = quoteCommandText(text);
    let ts: string | undefined;
    try {
      ts = (await this.#client.chat.postMessage({ channel, ...renderRequestMessage(user, command) })).ts;
    } catch (error) {
      this.#logger.warn({ channel, error: errorText(error) }, 'cannot post a request message');
      throw new Error(this.#cannotPostAdvice(errorText(error)));
    }
    if (!ts) throw new Error(this.#cannotPostAdvice('no ts'));
    return { platform: 'slack', channel, thread_ts: ts, user, command };
  }

  /**
   * Slack's own response_url host, or the Web API's origin when SLACK_API_URL points elsewhere (a
   * test's fake). A URL read back from Redis is never trusted to name any other host.
   */
  #mayRespondTo(url: string): boolean {
    const origin = new URL(url).origin;
    if (origin === 'https://hooks.slack.com') return true;
    if (this.#options.apiUrl !== undefined && origin === new URL(this.#options.apiUrl).origin) return true;
    this.#logger.warn({ origin }, 'a response_url outside Slack; not used');
    return false;
  }

  #cannotPostAdvice(why: string): string {
    return `I cannot post in this channel (${why}), so nothing was run. Invite me to it (\`/invite @${this.#botName}\`) or use a channel I am in.`;
  }

  async send(message: OutgoingMessage): Promise<void> {
    let thread = slackThreadOf(message.thread);
    const { card } = message;
    const body = renderCardBlocks(card);
    const attachments = message.attachments ?? [];
    if (message.ephemeralTo) {
      const user = slackUserId(message.ephemeralTo.id);
      if (!user) {
        this.#logger.warn({ to: message.ephemeralTo.id }, 'not a Slack user; ephemeral message dropped');
        return;
      }
      if (attachments.length > 0) {
        // Slack shares files with a whole channel; one person alone cannot be shown one.
        this.#logger.warn({ files: attachments.map((a) => a.name) }, 'files on an ephemeral message dropped');
      }
      // Before its thread exists, a command's private answers go through its response_url: it
      // reaches the person even in a channel the bot is not in (chat.postEphemeral does not), and
      // any replica can use it, as it travels with the thread.
      if (!thread.thread_ts && thread.response_url && this.#mayRespondTo(thread.response_url)) {
        const answered = await respondThrough(thread.response_url, {
          response_type: 'ephemeral',
          ...body,
        }).then(
          () => true,
          (error: unknown) => {
            this.#logger.warn({ error: errorText(error) }, 'cannot answer through response_url');
            return false;
          },
        );
        if (answered) return;
      }
      const where = { channel: thread.channel, ...(thread.thread_ts ? { thread_ts: thread.thread_ts } : {}) };
      await this.#client.chat.postEphemeral({ ...where, user, ...body });
      return;
    }
    // A public message for a command whose thread is not open: it opens now.
    if (!thread.thread_ts && thread.request) thread = slackThreadOf(await this.#threadOfRequest(thread));
    const where = { channel: thread.channel, ...(thread.thread_ts ? { thread_ts: thread.thread_ts } : {}) };
    if (message.key) {
      await this.#edits.submit(`${thread.channel}/${thread.thread_ts ?? ''}/${message.key}`, {
        ...where,
        body,
        final: !OPEN_STATUSES.has(card.status),
        ...(attachments.length > 0 ? { attachments } : {}),
      });
      return;
    }
    await this.#client.chat.postMessage({ ...where, ...body });
    if (attachments.length > 0) await uploadAttachments(this.#client, this.#logger, where, attachments);
    if (message.notify) await this.#markRequest(thread, card.status);
  }

  /** Resolves when every queued edit is written (tests). */
  idle(): Promise<void> {
    return this.#edits.idle();
  }

  /** The request message shows the result's mark; a message of its own, edited like the others. */
  async #markRequest(thread: SlackThread, status: CardStatus): Promise<void> {
    if (!thread.thread_ts || thread.user === undefined) return;
    await this.#edits.submit(
      `${thread.channel}/${thread.thread_ts}/request`,
      {
        channel: thread.channel,
        body: renderRequestMessage(thread.user, thread.command ?? '', status),
        final: true,
      },
      thread.thread_ts,
    );
  }

  async #write(content: EditContent, ts: string | undefined): Promise<string> {
    const { channel, body } = content;
    if (ts !== undefined) {
      await this.#client.chat.update({ channel, ts, ...body });
      return ts;
    }
    const where = { channel, ...(content.thread_ts ? { thread_ts: content.thread_ts } : {}) };
    const posted = await this.#client.chat.postMessage({ ...where, ...body });
    if (!posted.ts) throw new Error('chat.postMessage answered without a ts');
    // Never throws: a failed upload must not make the coalescer post the card a second time.
    if (content.attachments) await uploadAttachments(this.#client, this.#logger, where, content.attachments);
    return posted.ts;
  }

  async #onCommand(command: SlashCommand, respond: RespondFn): Promise<void> {
    // The core's work runs from the intake (in this replica or another): all a reply needs
    // travels in the thread.
    const core = this.#core!;
    const channel = command.channel_id;
    const requestId = command.trigger_id ? `slack:trigger:${command.trigger_id}` : undefined;
    // No public message yet: the core answers mistakes and refusals privately, and opens the
    // thread (openRequestThread) only for a command it accepts.
    const thread: SlackThread = {
      platform: 'slack',
      channel,
      user: command.user_id,
      command: quoteCommandText(command.text),
      ...(requestId ? { request: requestId } : {}),
      ...(command.response_url ? { response_url: command.response_url } : {}),
    };
    try {
      const user = await this.#chatUser(command.user_id, command.user_name);
      await core.handle({
        platform: 'slack',
        user,
        channel: `slack:${channel}`,
        text: command.text,
        thread,
        ...(requestId ? { requestId } : {}),
      });
    } catch (error) {
      this.#logger.error({ channel, error: errorText(error) }, 'the core failed on a Slack command');
      await respond({
        response_type: 'ephemeral',
        text: '❌ Something went wrong on my side; the details are in my log. Please try again.',
      }).catch((inner: unknown) => this.#logger.warn({ error: errorText(inner) }, 'cannot respond'));
    }
  }

  async #onButton(
    body: {
      user: { id: string; username?: string; name?: string };
      channel?: { id: string };
      container: Record<string, unknown>;
      message?: { ts: string; thread_ts?: unknown };
      trigger_id?: string;
    },
    action: { action_id: string; value?: string },
  ): Promise<void> {
    const container = body.container as { channel_id?: unknown; thread_ts?: unknown };
    const channel =
      body.channel?.id ?? (typeof container.channel_id === 'string' ? container.channel_id : undefined);
    if (!channel) {
      this.#logger.warn({ action: action.action_id }, 'a button press without a channel; ignored');
      return;
    }
    const threadTs = [container.thread_ts, body.message?.thread_ts, body.message?.ts].find(
      (ts): ts is string => typeof ts === 'string' && ts !== '',
    );
    const user = await this.#chatUser(body.user.id, body.user.username ?? body.user.name ?? body.user.id);
    try {
      await this.#core!.press({
        action: actionOfActionId(action.action_id),
        value: action.value ?? '',
        user,
        platform: 'slack',
        channel: `slack:${channel}`,
        thread: { platform: 'slack', channel, ...(threadTs ? { thread_ts: threadTs } : {}) },
        // Every press carries its own trigger_id: a replayed or redelivered one is the same press.
        ...(body.trigger_id ? { requestId: `slack:trigger:${body.trigger_id}` } : {}),
      });
    } catch (error) {
      this.#logger.error(
        { channel, action: action.action_id, error: errorText(error) },
        'the core failed on a button',
      );
    }
  }

  async #chatUser(userId: string, name: string): Promise<ChatUser> {
    return { id: `slack:${userId}`, name, groups: await this.#groups.groupsOf(userId) };
  }
}
