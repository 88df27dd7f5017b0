// One node's pveproxy: an HTTPS listener on the node's own loopback address. It can be closed and
// reopened on the same port, which is how a node (or only its API) goes away and comes back:
// closed means connection refused, exactly what a client sees from a node that is down.

import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';

export type NodeRequestListener = (node: string, request: IncomingMessage, response: ServerResponse) => void;

export interface NodeServerOptions {
  node: string;
  address: string;
  /** 0 picks a free port on first open; later opens reuse whatever port that was. */
  port: number;
  certPem: string;
  keyPem: string;
  onRequest: NodeRequestListener;
}

export class NodeServer {
  readonly node: string;
  readonly address: string;
  readonly #options: NodeServerOptions;
  #certificate: { cert: string; key: string };
  #port: number;
  #server: Server | null = null;
  /** Every TCP connection of every server generation, so stop() can end them all. */
  readonly #rawSockets = new Set<Socket>();
  /** Requests in flight per TLS connection: a closing server lets those answers out first. */
  readonly #inFlight = new Map<TLSSocket, number>();
  readonly #idle = new Set<TLSSocket>();
  #queue: Promise<void> = Promise.resolve();

  constructor(options: NodeServerOptions) {
    this.node = options.node;
    this.address = options.address;
    this.#port = options.port;
    this.#options = options;
    this.#certificate = { cert: options.certPem, key: options.keyPem };
  }

  get port(): number {
    return this.#port;
  }

  get url(): string {
    return `https://${this.address}:${this.#port}`;
  }

  get listening(): boolean {
    return this.#server !== null;
  }

  /** Starts listening (again); resolves once the port is bound. Idempotent. */
  open(): Promise<void> {
    return this.#enqueue(async () => {
      if (this.#server) return;
      const server = createServer({ ...this.#certificate });
      this.#watch(server);
      server.listen(this.#port, this.address);
      await once(server, 'listening');
      const address = server.address();
      if (address && typeof address === 'object') this.#port = address.port;
      this.#server = server;
    });
  }

  /**
   * Stops listening and drops connections: idle ones at once, busy ones as soon as their
   * response is out. New connections are refused from the moment this is called. Idempotent.
   */
  close(): Promise<void> {
    return this.#enqueue(async () => {
      const server = this.#server;
      if (!server) return;
      this.#server = null;
      server.close();
      for (const socket of this.#idle) socket.destroy();
    });
  }

  /**
   * Serves another certificate from the next connection on (kept-alive idle connections are
   * dropped so that no request slips through on the old one); it survives close and reopen.
   */
  useCertificate(certPem: string, keyPem: string): void {
    this.#certificate = { cert: certPem, key: keyPem };
    if (!this.#server) return;
    this.#server.setSecureContext({ ...this.#certificate });
    for (const socket of this.#idle) socket.destroy();
  }

  /** Ends everything at once, busy or not (simulator shutdown). */
  async destroy(): Promise<void> {
    await this.close();
    for (const socket of this.#rawSockets) socket.destroy();
    for (const socket of this.#inFlight.keys()) socket.destroy();
  }

  #enqueue(step: () => Promise<void>): Promise<void> {
    // Serialised so that a quick down/up/down sequence always ends in the last state asked for.
    const next = this.#queue.then(step);
    this.#queue = next.catch(() => {});
    return next;
  }

  #watch(server: Server): void {
    server.on('connection', (socket: Socket) => {
      this.#rawSockets.add(socket);
      socket.once('close', () => this.#rawSockets.delete(socket));
    });
    server.on('secureConnection', (socket: TLSSocket) => {
      // A handshake that finishes after the node went down must not get to ask anything.
      if (this.#server !== server) {
        socket.destroy();
        return;
      }
      this.#idle.add(socket);
      socket.once('close', () => {
        this.#idle.delete(socket);
        this.#inFlight.delete(socket);
      });
    });
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      const socket = request.socket as TLSSocket;
      this.#idle.delete(socket);
      this.#inFlight.set(socket, (this.#inFlight.get(socket) ?? 0) + 1);
      response.once('close', () => {
        const left = (this.#inFlight.get(socket) ?? 1) - 1;
        if (left > 0) {
          this.#inFlight.set(socket, left);
          return;
        }
        this.#inFlight.delete(socket);
        if (this.#server === server) this.#idle.add(socket);
        else socket.end(); // end, not destroy: let the answer already written reach the client
      });
      this.#options.onRequest(this.node, request, response);
    });
    server.on('tlsClientError', (_error, socket) => socket.destroy());
  }
}
