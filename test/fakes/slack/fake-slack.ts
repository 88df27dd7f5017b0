// A fake Slack that speaks the real wire protocol, for the real Bolt and WebClient to talk to:
// the Web API at /api/<method>, response_urls at /respond/<id>, Socket Mode at /socket, file
// upload URLs at /upload/v1/<id>, and signed deliveries of slash commands and button clicks to an
// app's /slack/events.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deliverToApp, replayToApp } from './deliver-to-app.js';
import { receiveUpload, UPLOAD_PATH } from './file-uploads.js';
import { type HeldCall, HeldCalls } from './held-calls.js';
import { RESPOND_PATH, ResponseUrls } from './response-urls.js';
import { SlackStore } from './slack-store.js';
import { SOCKET_PATH, SocketModeServer } from './socket-mode-server.js';
import type {
  ButtonClickInput,
  DeliveryResult,
  DeliveryTarget,
  FakeCall,
  FakeDelivery,
  FakeEphemeral,
  FakeFile,
  FakeMessage,
  FakeResponse,
  FakeSlackOptions,
  ForgeOptions,
  SlashCommandInput,
  WebApiFault,
} from './types.js';
import { answerWebApi, decodeParams, type WebApiIdentity } from './web-api.js';

export const FAKE_SLACK_DEFAULTS = {
  botToken: 'xoxb-fake-bot-token',
  appToken: 'xapp-1-fake-app-token',
  signingSecret: 'fake-signing-secret',
  botUserId: 'U0FAKEBOT',
  botId: 'B0FAKEBOT',
  teamId: 'T0FAKE',
  teamDomain: 'fake-workspace',
  appId: 'A0FAKEAPP',
  ackTimeoutMs: 3000,
} as const;

export class FakeSlack {
  readonly botToken: string;
  readonly appToken: string;
  readonly signingSecret: string;
  readonly botUserId: string;
  readonly botId: string;
  readonly teamId: string;
  readonly teamDomain: string;
  /** The Enterprise Grid organisation; undefined for a stand-alone workspace (the default). */
  readonly enterpriseId: string | undefined;
  readonly appId: string;
  readonly ackTimeoutMs: number;
  /** http://127.0.0.1:P — the fake's origin. */
  readonly baseUrl: string;
  /** http://127.0.0.1:P/api/ — for clientOptions.slackApiUrl / SLACK_API_URL. */
  readonly apiUrl: string;
  /** ws://127.0.0.1:P/socket — what apps.connections.open returns. */
  readonly socketUrl: string;

  private readonly server: Server;
  private readonly store = new SlackStore();
  private readonly sockets: SocketModeServer;
  private readonly responseUrls: ResponseUrls;
  private readonly faults = new Map<string, WebApiFault[]>();
  private readonly held = new HeldCalls();

  private constructor(
    server: Server,
    options: Required<Omit<FakeSlackOptions, 'enterpriseId'>> & Pick<FakeSlackOptions, 'enterpriseId'>,
    sockets: SocketModeServer,
  ) {
    this.server = server;
    this.sockets = sockets;
    this.botToken = options.botToken;
    this.appToken = options.appToken;
    this.signingSecret = options.signingSecret;
    this.botUserId = options.botUserId;
    this.botId = options.botId;
    this.teamId = options.teamId;
    this.teamDomain = options.teamDomain;
    this.enterpriseId = options.enterpriseId;
    this.appId = options.appId;
    this.ackTimeoutMs = options.ackTimeoutMs;
    const { port } = server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${port}`;
    this.apiUrl = `${this.baseUrl}/api/`;
    this.socketUrl = `ws://127.0.0.1:${port}${SOCKET_PATH}`;
    this.responseUrls = new ResponseUrls(this.store, () => this.baseUrl);
  }

  static async start(options: FakeSlackOptions = {}): Promise<FakeSlack> {
    const settings = { ...FAKE_SLACK_DEFAULTS, ...dropUndefined(options) };
    const server = createServer();
    let fake: FakeSlack | undefined;
    const sockets = new SocketModeServer(settings.appId, () => fake?.store.changed());
    server.on('request', (req, res) => {
      if (fake === undefined) res.writeHead(503).end();
      else fake.route(req, res);
    });
    sockets.attach(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    fake = new FakeSlack(server, settings, sockets);
    return fake;
  }

  async stop(): Promise<void> {
    await this.sockets.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- configuration -------------------------------------------------------------------------

  setUserGroup(id: string, userIds: string[]): void {
    this.store.userGroups.set(id, [...userIds]);
  }

  /** users.info answers this name (default: the id); slash commands carry it as user_name. */
  setUser(id: string, name: string): void {
    this.store.userNames.set(id, name);
  }

  /** conversations.info answers this name (default: the id); deliveries carry it as channel_name. */
  setChannel(id: string, name: string): void {
    this.store.channelNames.set(id, name);
  }

  /** The next call of `method` gets this fault (queued: call twice for two faults). Counted in calls(). */
  failNext(method: string, fault: WebApiFault): void {
    const queue = this.faults.get(method) ?? [];
    queue.push(fault);
    this.faults.set(method, queue);
  }

  /**
   * Keeps the next call of `method` whose decoded params `matches` unanswered until the test
   * releases or drops it (held-calls.ts); the calls after it are answered as usual. A held call
   * is in calls() only once released.
   */
  holdNext(method: string, matches?: (params: Record<string, unknown>) => boolean): HeldCall {
    return this.held.holdNext(method, matches);
  }

  /** Sends `{"type":"disconnect"}` on every Socket Mode connection; the client reconnects. */
  disconnect(reason = 'refresh_requested'): void {
    this.sockets.disconnect(reason);
  }

  /** Drops every Socket Mode connection without a close handshake. */
  dropSockets(): void {
    this.sockets.drop();
  }

  // ---- records -------------------------------------------------------------------------------

  /** Top-level messages in a channel (not deleted), oldest first. */
  messages(channel: string): FakeMessage[] {
    return this.allMessages().filter(
      (m) => m.channel === channel && !m.deleted && (m.threadTs === undefined || m.threadTs === m.ts),
    );
  }

  /** Replies in the thread under `ts` (not deleted), oldest first. */
  thread(channel: string, ts: string): FakeMessage[] {
    return this.allMessages().filter(
      (m) => m.channel === channel && !m.deleted && m.threadTs === ts && m.ts !== ts,
    );
  }

  /** One message (deleted ones too), with its edits. */
  message(channel: string, ts: string): FakeMessage | undefined {
    return this.store.findMessage(channel, ts);
  }

  /** Files shared by files.completeUploadExternal, oldest first; in `channel` only, when given. */
  files(channel?: string): FakeFile[] {
    return this.store.fileList.filter((f) => channel === undefined || f.channel === channel);
  }

  ephemerals(user: string): FakeEphemeral[] {
    return this.store.ephemeralList.filter((e) => e.user === user && !e.deleted);
  }

  /** Every Web API call (faulted ones too), oldest first. */
  calls(method?: string): FakeCall[] {
    return this.store.callList.filter((c) => method === undefined || c.method === method);
  }

  /** Every POST to a response_url the fake issued. */
  responses(): FakeResponse[] {
    return [...this.store.responseList];
  }

  /** Every slash command and button click delivered to the app, with its ack. */
  deliveries(): FakeDelivery[] {
    return [...this.store.deliveryList];
  }

  /** Socket Mode connections: opened since start, and live now. */
  socketConnections(): { opened: number; open: number } {
    return { opened: this.sockets.openedCount, open: this.sockets.openCount };
  }

  /**
   * Resolves with the predicate's first value that is not undefined/false/null. The predicate
   * runs now and again on every change the fake records (calls, messages, edits, acks, sockets).
   */
  waitFor<T>(predicate: () => T | undefined, timeoutMs = 10_000): Promise<T> {
    return this.store.waitFor(predicate, timeoutMs);
  }

  // ---- deliveries to the app -----------------------------------------------------------------

  slashCommand(
    target: DeliveryTarget,
    input: SlashCommandInput,
    forge: ForgeOptions = {},
  ): Promise<DeliveryResult> {
    return deliverToApp(this.deliveryContext(), target, { kind: 'slash_commands', input }, forge);
  }

  clickButton(
    target: DeliveryTarget,
    input: ButtonClickInput,
    forge: ForgeOptions = {},
  ): Promise<DeliveryResult> {
    return deliverToApp(this.deliveryContext(), target, { kind: 'interactive', input }, forge);
  }

  /**
   * Sends a recorded delivery again: over HTTP byte for byte, with its original timestamp and
   * signature (a captured request replayed); over Socket Mode its payload in a new envelope.
   */
  replay(target: DeliveryTarget, delivery: FakeDelivery): Promise<DeliveryResult> {
    return replayToApp(this.deliveryContext(), target, delivery);
  }

  private deliveryContext(): Parameters<typeof deliverToApp>[0] {
    return {
      store: this.store,
      sockets: this.sockets,
      responseUrls: this.responseUrls,
      signingSecret: this.signingSecret,
      ackTimeoutMs: this.ackTimeoutMs,
      ws: {
        teamId: this.teamId,
        teamDomain: this.teamDomain,
        ...(this.enterpriseId !== undefined ? { enterpriseId: this.enterpriseId } : {}),
        appId: this.appId,
        botUserId: this.botUserId,
        botId: this.botId,
      },
    };
  }

  // ---- HTTP ----------------------------------------------------------------------------------

  private route(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', this.baseUrl).pathname;
    if (req.method !== 'POST') {
      res.writeHead(405).end();
      return;
    }
    readBody(req)
      .then(
        async (raw) => {
          if (path.startsWith(UPLOAD_PATH)) {
            const secret = path.slice(UPLOAD_PATH.length);
            const reply = await receiveUpload(this.store, secret, req.headers['content-type'], raw);
            res.writeHead(reply.status, { 'content-type': 'text/plain; charset=utf-8' }).end(reply.body);
            return;
          }
          const text = raw.toString('utf8');
          if (path.startsWith('/api/')) this.webApi(path.slice('/api/'.length), req, text, res);
          else if (path.startsWith(RESPOND_PATH)) this.respond(path.slice(RESPOND_PATH.length), text, res);
          else res.writeHead(404).end();
        },
        () => res.writeHead(400).end(),
      )
      .catch(() => {
        // A bug in the fake itself: make it loud rather than a hanging request.
        if (!res.headersSent) res.writeHead(500).end('fake Slack failed');
      });
  }

  private webApi(method: string, req: IncomingMessage, raw: string, res: ServerResponse): void {
    const rawParams = parseBody(req.headers['content-type'], raw);
    const { token: bodyToken, ...rest } = rawParams;
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ') ? auth.slice('Bearer '.length) : str(bodyToken);
    const params = decodeParams(rest);
    const held = this.held.take(method, params, {
      answer: () => this.answerWebApi(method, params, token, res),
      drop: () => res.destroy(),
      onCallerGone: (listener) =>
        res.once('close', () => {
          if (!res.writableFinished) listener();
        }),
    });
    if (!held) this.answerWebApi(method, params, token, res);
  }

  private answerWebApi(
    method: string,
    params: Record<string, unknown>,
    token: string | undefined,
    res: ServerResponse,
  ): void {
    const fault = this.faults.get(method)?.shift();
    const identity: WebApiIdentity = {
      botToken: this.botToken,
      appToken: this.appToken,
      botUserId: this.botUserId,
      botId: this.botId,
      teamId: this.teamId,
      teamDomain: this.teamDomain,
      enterpriseId: this.enterpriseId,
      socketUrl: () => this.socketUrl,
      baseUrl: () => this.baseUrl,
    };
    const reply = answerWebApi(method, params, token, fault, { store: this.store, id: identity });
    const headers: Record<string, string> = { ...reply.headers };
    if (reply.body !== undefined) headers['content-type'] = 'application/json; charset=utf-8';
    res
      .writeHead(reply.status, headers)
      .end(reply.body === undefined ? 'fake internal error' : JSON.stringify(reply.body));
    const call: FakeCall = {
      method,
      params,
      token,
      status: reply.status,
      response: reply.status === 200 ? reply.body : undefined,
      at: Date.now(),
    };
    this.store.record(this.store.callList, call);
  }

  private respond(id: string, raw: string, res: ServerResponse): void {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      res.writeHead(400).end('invalid_payload');
      return;
    }
    const reply = this.responseUrls.post(id, body);
    res.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify(reply.body));
  }

  private allMessages(): FakeMessage[] {
    return [...this.store.messagesByKey.values()];
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseBody(contentType: string | undefined, raw: string): Record<string, unknown> {
  if (raw === '') return {};
  if (contentType?.startsWith('application/json')) {
    try {
      const parsed: unknown = JSON.parse(raw);
      return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(raw));
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

function dropUndefined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}
