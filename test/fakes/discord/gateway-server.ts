// Discord's gateway at /gateway, JSON text frames without compression (discord.js asks for
// zlib-stream only when zlib-sync is installed). HELLO on connect; IDENTIFY → READY + GUILD_CREATE;
// heartbeats acked; RESUME replays what the session missed, then RESUMED. A session outlives its
// socket unless the client closed with 1000/1001, so dispatches made while the client is away
// (during a RECONNECT, say) are kept and replayed on RESUME, as on Discord. Several clients may
// hold sessions at once (bot replicas, each identified with the same token): as on Discord, each
// session gets every dispatch, so an interaction reaches all of them unless a test says otherwise.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import type { DispatchTarget } from './types.js';

export const GATEWAY_PATH = '/gateway';

const Op = {
  Dispatch: 0,
  Heartbeat: 1,
  Identify: 2,
  PresenceUpdate: 3,
  VoiceStateUpdate: 4,
  Resume: 6,
  Reconnect: 7,
  RequestGuildMembers: 8,
  InvalidSession: 9,
  Hello: 10,
  HeartbeatAck: 11,
  RequestSoundboardSounds: 31,
} as const;

const Close = {
  UnknownOpcode: 4001,
  DecodeError: 4002,
  NotAuthenticated: 4003,
  AuthenticationFailed: 4004,
  AlreadyAuthenticated: 4005,
  InvalidApiVersion: 4012,
} as const;

interface Session {
  id: string;
  seq: number;
  /** Every dispatch of the session, for replay on RESUME. */
  log: Array<{ s: number; frame: string }>;
  /** The socket the session is live on; undefined while the client is away. */
  connection?: Connection;
  /** Not resumable any more (client closed with 1000/1001, or INVALID_SESSION d:false). */
  ended: boolean;
  intents: number;
}

interface Connection {
  socket: WebSocket;
  /** 'hello': waiting for IDENTIFY/RESUME; 'ready': dispatches flow; 'retiring': told to reconnect. */
  state: 'hello' | 'ready' | 'retiring';
}

export interface GatewayOptions {
  token: string;
  heartbeatIntervalMs: number;
  newSessionId(): string;
  /** READY's `d` for a new session. */
  ready(sessionId: string): unknown;
  /** GUILD_CREATE's `d`, built when the client identifies. */
  guildCreate(): unknown;
  /** Called after every change of connection state (for waitFor). */
  changed(): void;
}

export type DispatchResult = 'sent' | 'queued' | 'dropped';

export class GatewayServer {
  identifies = 0;
  resumes = 0;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sessions = new Map<string, Session>();
  private readonly connections = new Set<Connection>();
  /** The newest identified session: the one reconnect() and invalidateSession() act on. */
  private current: Session | undefined;
  private readonly options: GatewayOptions;

  constructor(options: GatewayOptions) {
    this.options = options;
  }

  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname !== GATEWAY_PATH && url.pathname !== `${GATEWAY_PATH}/`) {
        socket.destroy();
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, url.searchParams));
    });
  }

  /** A client is identified or resumed on a live socket. */
  get connected(): boolean {
    return this.current?.connection?.state === 'ready';
  }

  /** Sessions whose client is identified or resumed on a live socket now. */
  get connectedSessions(): number {
    return [...this.sessions.values()].filter((s) => !s.ended && s.connection?.state === 'ready').length;
  }

  /** The current session's intents (0 before the first IDENTIFY). */
  get intents(): number {
    return this.current?.intents ?? 0;
  }

  /**
   * Sends a dispatch on each live session (or the newest only): at once where its client is
   * connected, else kept for its RESUME. 'sent' when some client got it now, 'queued' when some
   * session keeps it, 'dropped' when no session can ever receive it (never identified, or ended).
   */
  dispatch(t: string, d: unknown, to: DispatchTarget = 'every-session'): DispatchResult {
    const sessions =
      to === 'newest-session'
        ? [this.current].filter((s): s is Session => s !== undefined && !s.ended)
        : [...this.sessions.values()].filter((s) => !s.ended);
    const results = sessions.map((session) => this.send(session, t, d));
    if (results.includes('sent')) return 'sent';
    return results.includes('queued') ? 'queued' : 'dropped';
  }

  /** op 7: the client closes with 4200 and resumes on a new socket. */
  reconnect(): void {
    const connection = this.liveConnection('reconnect');
    this.frame(connection, { op: Op.Reconnect, d: null });
    connection.state = 'retiring';
    if (this.current !== undefined) this.current.connection = undefined;
    this.options.changed();
  }

  /** op 9: resumable → the client RESUMEs on this socket; not → it closes and IDENTIFYs anew. */
  invalidateSession(resumable: boolean): void {
    const connection = this.liveConnection('invalidateSession');
    this.frame(connection, { op: Op.InvalidSession, d: resumable });
    connection.state = 'hello';
    const session = this.current!;
    session.connection = undefined;
    if (!resumable) session.ended = true;
    this.options.changed();
  }

  async close(): Promise<void> {
    await Promise.all(
      [...this.connections].map(({ socket }) => {
        const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
        const timer = setTimeout(() => socket.terminate(), 1000);
        socket.close(1001, 'fake Discord stopping');
        return closed.finally(() => clearTimeout(timer));
      }),
    );
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private liveConnection(what: string): Connection {
    const connection = this.current?.connection;
    if (connection === undefined || connection.state !== 'ready') {
      throw new Error(`FakeDiscord.${what}: no client is connected to the gateway`);
    }
    return connection;
  }

  private onConnection(socket: WebSocket, params: URLSearchParams): void {
    const connection: Connection = { socket, state: 'hello' };
    this.connections.add(connection);
    socket.on('message', (data: RawData, isBinary: boolean) => this.onMessage(connection, data, isBinary));
    socket.on('close', (code: number) => this.onClose(connection, code));
    socket.on('error', () => socket.terminate());
    if (params.get('v') !== '10') {
      socket.close(Close.InvalidApiVersion, 'Invalid API version.');
      return;
    }
    this.frame(connection, { op: Op.Hello, d: { heartbeat_interval: this.options.heartbeatIntervalMs } });
  }

  private onClose(connection: Connection, code: number): void {
    this.connections.delete(connection);
    for (const session of this.sessions.values()) {
      if (session.connection !== connection) continue;
      session.connection = undefined;
      // Discord ends a session whose client closed normally; other codes (discord.js uses 4200) keep it resumable.
      if (code === 1000 || code === 1001) session.ended = true;
    }
    this.options.changed();
  }

  private onMessage(connection: Connection, data: RawData, isBinary: boolean): void {
    let payload: { op?: unknown; d?: unknown };
    try {
      if (isBinary) throw new Error('binary frame');
      payload = JSON.parse(data.toString());
    } catch {
      connection.socket.close(Close.DecodeError, 'Error while decoding payload.');
      return;
    }
    const d = (typeof payload.d === 'object' && payload.d !== null ? payload.d : {}) as Record<
      string,
      unknown
    >;
    switch (payload.op) {
      case Op.Heartbeat:
        this.frame(connection, { op: Op.HeartbeatAck, d: null });
        return;
      case Op.Identify:
        this.identify(connection, d);
        return;
      case Op.Resume:
        this.resume(connection, d);
        return;
      case Op.PresenceUpdate:
      case Op.VoiceStateUpdate:
      case Op.RequestGuildMembers:
      case Op.RequestSoundboardSounds:
        if (connection.state !== 'ready')
          connection.socket.close(Close.NotAuthenticated, 'Not authenticated.');
        return;
      default:
        connection.socket.close(Close.UnknownOpcode, 'Unknown opcode.');
    }
  }

  private identify(connection: Connection, d: Record<string, unknown>): void {
    if (connection.state === 'ready') {
      connection.socket.close(Close.AlreadyAuthenticated, 'Already authenticated.');
      return;
    }
    if (d.token !== this.options.token) {
      connection.socket.close(Close.AuthenticationFailed, 'Authentication failed.');
      return;
    }
    this.identifies += 1;
    const session: Session = {
      id: this.options.newSessionId(),
      seq: 0,
      log: [],
      ended: false,
      intents: typeof d.intents === 'number' ? d.intents : 0,
    };
    // Another client's session goes on: a second replica of the bot gets its own.
    this.sessions.set(session.id, session);
    this.current = session;
    session.connection = connection;
    connection.state = 'ready';
    this.send(session, 'READY', this.options.ready(session.id));
    this.send(session, 'GUILD_CREATE', this.options.guildCreate());
    this.options.changed();
  }

  private resume(connection: Connection, d: Record<string, unknown>): void {
    if (connection.state === 'ready') {
      connection.socket.close(Close.AlreadyAuthenticated, 'Already authenticated.');
      return;
    }
    if (d.token !== this.options.token) {
      connection.socket.close(Close.AuthenticationFailed, 'Authentication failed.');
      return;
    }
    const session = typeof d.session_id === 'string' ? this.sessions.get(d.session_id) : undefined;
    const seq = typeof d.seq === 'number' ? d.seq : 0;
    if (session === undefined || session.ended || seq > session.seq) {
      // Discord's answer to a session it cannot resume: the client then identifies anew.
      this.frame(connection, { op: Op.InvalidSession, d: false });
      return;
    }
    const previous = session.connection;
    if (previous !== undefined && previous !== connection) {
      session.connection = undefined;
      previous.state = 'retiring';
      previous.socket.close(4000, 'Session resumed elsewhere.');
    }
    this.resumes += 1;
    session.connection = connection;
    connection.state = 'ready';
    for (const entry of session.log) if (entry.s > seq) connection.socket.send(entry.frame);
    this.send(session, 'RESUMED', { _trace: ['["fake-discord-gateway",{"micros":0}]'] });
    this.options.changed();
  }

  private send(session: Session, t: string, d: unknown): DispatchResult {
    session.seq += 1;
    const frame = JSON.stringify({ op: Op.Dispatch, t, s: session.seq, d });
    session.log.push({ s: session.seq, frame });
    const connection = session.connection;
    if (connection === undefined || connection.state !== 'ready') return 'queued';
    connection.socket.send(frame);
    return 'sent';
  }

  private frame(connection: Connection, payload: { op: number; d: unknown }): void {
    if (connection.socket.readyState !== connection.socket.OPEN) return;
    connection.socket.send(JSON.stringify({ ...payload, s: null, t: null }));
  }
}
