// Slack's Socket Mode side: `hello` on connect, envelopes out, `{envelope_id, payload?}` acks in,
// `disconnect` on request. Slack gives an app 3 s to ack; Bolt does not enforce that, so this does.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { AckTimeoutError } from './ack-timeout-error.js';

export const SOCKET_PATH = '/socket';

export type EnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

export interface SocketAck {
  /** The ack's `payload` (Bolt sends `{}` for a bare ack()). */
  payload: Record<string, unknown> | undefined;
  ackMs: number;
}

interface Connection {
  socket: WebSocket;
  /** Sent `disconnect`: no new envelopes go to it. */
  retiring: boolean;
}

interface PendingAck {
  sentAt: number;
  resolve(ack: SocketAck): void;
}

export class SocketModeServer {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly connections = new Set<Connection>();
  private readonly pending = new Map<string, PendingAck>();
  private opened = 0;
  /** Every envelope_id the client acked, with its payload, in order. */
  readonly acks: Array<{ envelopeId: string; payload: Record<string, unknown> | undefined }> = [];

  private readonly appId: string;
  private readonly changed: () => void;

  constructor(appId: string, changed: () => void) {
    this.appId = appId;
    this.changed = changed;
  }

  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
      if (path !== SOCKET_PATH) {
        socket.destroy();
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws));
    });
  }

  /** Connections opened since start (a reconnect adds one). */
  get openedCount(): number {
    return this.opened;
  }

  /** Connections open now and not told to disconnect. */
  get openCount(): number {
    return [...this.connections].filter((c) => !c.retiring).length;
  }

  /** Sends an envelope to the newest live connection and resolves with its ack, or rejects after timeoutMs. */
  deliver(type: EnvelopeType, payload: unknown, timeoutMs: number): Promise<SocketAck> {
    const connection = [...this.connections].reverse().find((c) => !c.retiring);
    if (connection === undefined) {
      return Promise.reject(new Error('FakeSlack: no live Socket Mode connection to deliver to'));
    }
    const envelopeId = randomUUID();
    return new Promise<SocketAck>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(envelopeId);
        reject(new AckTimeoutError(`FakeSlack: envelope ${type} was not acked within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(envelopeId, {
        sentAt: performance.now(),
        resolve: (ack) => {
          clearTimeout(timer);
          resolve(ack);
        },
      });
      const envelope = {
        envelope_id: envelopeId,
        type,
        payload,
        accepts_response_payload: type === 'slash_commands',
      };
      connection.socket.send(JSON.stringify(envelope));
    });
  }

  /** Slack's "please reconnect": the client calls apps.connections.open again. */
  disconnect(reason: string): void {
    for (const connection of this.connections) {
      if (connection.retiring) continue;
      connection.retiring = true;
      connection.socket.send(
        JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'fake-slack' } }),
      );
    }
    this.changed();
  }

  /** Drops every socket without a close handshake, as a network failure would. */
  drop(): void {
    for (const connection of this.connections) connection.socket.terminate();
  }

  /** Closes every socket with a close handshake (terminating after 1 s), then the server. */
  async close(): Promise<void> {
    await Promise.all(
      [...this.connections].map(({ socket }) => {
        const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
        const timer = setTimeout(() => socket.terminate(), 1000);
        socket.close(1001, 'server stopping');
        return closed.finally(() => clearTimeout(timer));
      }),
    );
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private onConnection(socket: WebSocket): void {
    const connection: Connection = { socket, retiring: false };
    this.connections.add(connection);
    this.opened += 1;
    socket.on('message', (data: RawData) => this.onMessage(data));
    socket.on('close', () => {
      this.connections.delete(connection);
      this.changed();
    });
    socket.on('error', () => socket.terminate());
    socket.send(
      JSON.stringify({
        type: 'hello',
        num_connections: this.openCount,
        debug_info: { host: 'fake-slack', build_number: 1, approximate_connection_time: 18060 },
        connection_info: { app_id: this.appId },
      }),
    );
    this.changed();
  }

  private onMessage(data: RawData): void {
    let message: { envelope_id?: unknown; payload?: unknown };
    try {
      message = JSON.parse(data.toString());
    } catch {
      return;
    }
    if (typeof message.envelope_id !== 'string') return;
    const payload =
      typeof message.payload === 'object' && message.payload !== null
        ? (message.payload as Record<string, unknown>)
        : undefined;
    this.acks.push({ envelopeId: message.envelope_id, payload });
    const pending = this.pending.get(message.envelope_id);
    if (pending !== undefined) {
      this.pending.delete(message.envelope_id);
      pending.resolve({ payload, ackMs: performance.now() - pending.sentAt });
    }
    this.changed();
  }
}
