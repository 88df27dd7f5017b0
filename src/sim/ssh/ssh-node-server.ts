// One node's sshd: a TCP listener on the node's own loopback address that hands each connection
// to an ssh2 server. Only `root` with the bot's key gets in, and only to run commands (exec): no
// shell, no pty, no sftp, no forwarding (ssh2 refuses every request nobody listens for). Closing
// the listener and dropping its connections is how the node's SSH goes away with the node.
import { once } from 'node:events';
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import type { AuthContext, Connection, ParsedKey, ServerChannel } from 'ssh2';
import ssh2 from 'ssh2';

/** What Debian 13's sshd announces; clients may log it. */
const IDENT = 'OpenSSH_10.0p2 Debian-7';

export interface SshNodeServerOptions {
  node: string;
  address: string;
  /** The host key (OpenSSH PEM). */
  hostKey: string;
  /** The only user allowed in, and the only key it may log in with. */
  user: string;
  clientKey: ParsedKey;
  onExec(exec: { command: string; channel: ServerChannel; signal: AbortSignal }): void;
}

export class SshNodeServer {
  readonly node: string;
  readonly address: string;
  readonly #options: SshNodeServerOptions;
  #ssh: ssh2.Server;
  #listener: NetServer | null = null;
  #port = 0;
  readonly #sockets = new Set<Socket>();
  #queue: Promise<void> = Promise.resolve();

  constructor(options: SshNodeServerOptions) {
    this.node = options.node;
    this.address = options.address;
    this.#options = options;
    this.#ssh = this.#sshServer(options.hostKey);
  }

  get port(): number {
    return this.#port;
  }

  get listening(): boolean {
    return this.#listener !== null;
  }

  /** Listens on `port` (0: any free one), or on the port it had; rejects with EADDRINUSE and the like. */
  open(port: number = this.#port): Promise<void> {
    return this.#enqueue(async () => {
      if (this.#listener) return;
      const listener = createServer((socket) => this.#accept(listener, socket));
      await new Promise<void>((resolve, reject) => {
        listener.once('error', reject);
        listener.listen(port, this.address, () => {
          listener.off('error', reject);
          resolve();
        });
      });
      const address = listener.address();
      if (address && typeof address === 'object') this.#port = address.port;
      this.#listener = listener;
    });
  }

  /** Refuses new connections and drops the open ones (their commands die). Idempotent. */
  close(): Promise<void> {
    return this.#enqueue(async () => {
      const listener = this.#listener;
      if (!listener) return;
      this.#listener = null;
      const closed = once(listener, 'close');
      listener.close();
      this.#dropConnections();
      await closed;
    });
  }

  /**
   * Presents another host key from now on, as a reinstalled node would; open connections are
   * dropped, so the next command must connect again and meet the new key.
   */
  useHostKey(privateKey: string): void {
    this.#ssh = this.#sshServer(privateKey);
    this.#dropConnections();
  }

  destroy(): Promise<void> {
    return this.close();
  }

  #enqueue(step: () => Promise<void>): Promise<void> {
    // Serialised so that a quick down/up/down sequence always ends in the last state asked for.
    const next = this.#queue.then(step);
    this.#queue = next.catch(() => {});
    return next;
  }

  #dropConnections(): void {
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
  }

  #accept(listener: NetServer, socket: Socket): void {
    // A connection that arrives while the listener is closing must not get in.
    if (this.#listener !== listener) {
      socket.destroy();
      return;
    }
    this.#sockets.add(socket);
    socket.once('close', () => this.#sockets.delete(socket));
    this.#ssh.injectSocket(socket);
  }

  #sshServer(hostKey: string): ssh2.Server {
    return new ssh2.Server({ hostKeys: [hostKey], ident: IDENT }, (client) => this.#onClient(client));
  }

  #onClient(client: Connection): void {
    const connection = new AbortController();
    // Resets and protocol errors end the connection; its close aborts its commands.
    client.on('error', () => {});
    client.on('close', () => connection.abort());
    client.on('authentication', (context) => this.#authenticate(context));
    client.on('ready', () => {
      client.on('session', (accept) => {
        const session = accept();
        // sshd hangs up on the command when its channel or the whole connection closes.
        const hangup = new AbortController();
        session.on('close', () => hangup.abort());
        session.on('exec', (acceptExec, _reject, info) => {
          const channel = acceptExec();
          // No command reads stdin: drain it, or ssh2 holds the channel's close behind it.
          channel.resume();
          const signal = AbortSignal.any([connection.signal, hangup.signal]);
          this.#options.onExec({ command: info.command, channel, signal });
        });
      });
    });
  }

  /** Public key only, for one user and one key, the signature checked as ssh2's examples do. */
  #authenticate(context: AuthContext): void {
    const allowed = this.#options.clientKey;
    if (context.method !== 'publickey' || context.username !== this.#options.user) {
      context.reject(['publickey']);
      return;
    }
    const sameKey = context.key.algo === allowed.type && context.key.data.equals(allowed.getPublicSSH());
    // Without a signature the client only asks whether the key would do; with one it proves it holds it.
    const signed =
      context.signature === undefined ||
      (context.blob !== undefined &&
        allowed.verify(context.blob, context.signature, context.hashAlgo) === true);
    if (!sameKey || !signed) {
      context.reject(['publickey']);
      return;
    }
    context.accept();
  }
}
