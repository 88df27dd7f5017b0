// Slack through Bolt, in either connection mode behind the same handlers: HTTP (Slack POSTs to
// /slack/events, signature-checked with the signing secret) or Socket Mode (an app-level token).
// `/pve …` is acknowledged before anything else, then posted to the channel as the request message
// whose thread receives everything that follows. Buttons are acknowledged and handed to the core.
// Cards become Block Kit; messages with a key are edited in place through an EditCoalescer. A
// message's files (the digest's chart) are uploaded after its card, into the same thread.
import type { RequestListener, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, type RespondFn, type SlashCommand, type webApi } from '@slack/bolt';
import type { ChatUser } from '../../core/chat-event.js';
import type { CoreApi } from '../../core/core-api.js';
import type { Attachment, CardStatus, OutgoingMessage } from '../../core/message.js';
import type { Logger } from '../../logger.js';
import type { Metrics } from '../../metrics.js';
import type { ChatAdapter } from '../adapter.js';
import { EditCoalescer } from '../edit-coalescer.js';
import { MemoryMessageRefs, type MessageRefs, rememberingWrite } from '../message-refs.js';
import { boltLogger } from './bolt-logger.js';
import { countingFetch } from './counting-fetch.js';
import { renderCardBlocks, type SlackMessageBody } from './render-card-blocks.js';
import { renderRequestMessage } from './render-request-message.js';
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
   * HTTP mode without a server of its own: the process's ops server (PORT: /healthz, /metrics)
   * serves `/slack/events` through `requestListener`, Bolt's signature check included.
   */
  mounted?: boolean;
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
    };
    if (!options.appToken && options.mounted) {
      this.#receiver = new HTTPReceiver({
        signingSecret: options.signingSecret!,
        endpoints: SLACK_EVENTS_PATH,
        logger: common.logger,
      });
    }
    this.#app = options.appToken
      ? new App({ ...common, appToken: options.appToken, socketMode: true })
      : this.#receiver
        ? new App({ ...common, receiver: this.#receiver })
        : new App({
            ...common,
            signingSecret: options.signingSecret!,
            endpoints: SLACK_EVENTS_PATH,
            port: options.port ?? 3000,
            customRoutes: [
              {
                path: '/healthz',
                method: ['GET'],
                handler: (_request, response) => {
                  response.writeHead(200, { 'content-type': 'text/plain' });
                  response.end('ok\n');
                },
              },
            ],
          });
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
    this.#edits = new EditCoalescer<EditContent, string>({
      // At most one edit per 2 s per message, as the platform sees it (docs/architecture.md,
      // "Performance targets"): 2.1 s here leaves room for network jitter between two edits.
      intervalMs: options.editIntervalMs ?? 2_100,
      isFinal: (content) => content.final,
      retryable: isRetryable,
      write: rememberingWrite(
        options.messageRefs ?? new MemoryMessageRefs(),
        options.logger,
        (_key, content, ts) => this.#write(content, ts),
      ),
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
      await ack();
      await this.#onCommand(command, respond);
    });
    this.#app.action(/.+/, async ({ ack, body, action }) => {
      await ack();
      if (body.type !== 'block_actions' || action.type !== 'button' || !('action_id' in action)) return;
      await this.#onButton(body, action);
    });
    await this.#app.init();
    if (this.#receiver) {
      // Mounted: the ops server owns the port; nothing to listen on here.
    } else if (this.mode === 'http') {
      const server = (await this.#app.start(this.#options.port ?? 3000)) as Server;
      this.#port = (server.address() as AddressInfo).port;
    } else {
      await this.#app.start();
    }
    this.#started = true;
    this.#logger.info({ mode: this.mode, port: this.#port }, 'Slack adapter started');
  }

  /** Mounted HTTP mode: the handler of POST /slack/events, for the ops server. */
  get requestListener(): RequestListener | undefined {
    return this.#receiver?.requestListener;
  }

  async stop(): Promise<void> {
    await this.#edits.drain();
    if (!this.#started) return;
    this.#started = false;
    if (!this.#receiver) await this.#app.stop();
  }

  async send(message: OutgoingMessage): Promise<void> {
    const thread = slackThreadOf(message.thread);
    const { card } = message;
    const body = renderCardBlocks(card);
    const where = { channel: thread.channel, ...(thread.thread_ts ? { thread_ts: thread.thread_ts } : {}) };
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
      await this.#client.chat.postEphemeral({ ...where, user, ...body });
      return;
    }
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
    const core = this.#core!;
    const channel = command.channel_id;
    const [posted, user] = await Promise.all([
      this.#client.chat
        .postMessage({ channel, ...renderRequestMessage(command.user_id, command.text) })
        .catch((error: unknown) => error as Error),
      this.#chatUser(command.user_id, command.user_name),
    ]);
    if (posted instanceof Error || !posted.ts) {
      const why = posted instanceof Error ? errorText(posted) : 'no ts';
      this.#logger.warn({ channel, error: why }, 'cannot post a request message');
      await respond({
        response_type: 'ephemeral',
        text: `I cannot post in this channel (${why}). Invite me to it (\`/invite @pve-chatops\`) or use a channel I am in.`,
      }).catch((error: unknown) => this.#logger.warn({ error: errorText(error) }, 'cannot respond'));
      return;
    }
    const thread: SlackThread = {
      platform: 'slack',
      channel,
      thread_ts: posted.ts,
      user: command.user_id,
      command: command.text,
    };
    try {
      await core.handle({ platform: 'slack', user, channel: `slack:${channel}`, text: command.text, thread });
    } catch (error) {
      this.#logger.error({ channel, error: errorText(error) }, 'the core failed on a Slack command');
      await this.#client.chat
        .postEphemeral({
          channel,
          user: command.user_id,
          thread_ts: posted.ts,
          text: '❌ Something went wrong on my side; the details are in my log. Please try again.',
        })
        .catch((inner: unknown) =>
          this.#logger.warn({ error: errorText(inner) }, 'cannot post an ephemeral'),
        );
    }
  }

  async #onButton(
    body: {
      user: { id: string; username?: string; name?: string };
      channel?: { id: string };
      container: Record<string, unknown>;
      message?: { ts: string; thread_ts?: unknown };
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
        action: action.action_id,
        value: action.value ?? '',
        user,
        platform: 'slack',
        channel: `slack:${channel}`,
        thread: { platform: 'slack', channel, ...(threadTs ? { thread_ts: threadTs } : {}) },
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
