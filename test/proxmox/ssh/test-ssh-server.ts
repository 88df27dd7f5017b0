// A small real ssh2 Server on 127.0.0.1 for the SSH runner's tests: publickey auth for one client
// key, and an exec handler that plays a scripted answer per command line. It records what reached
// it (connections, auth attempts, execs, signals) so a test can prove what did NOT.
import { EventEmitter, once } from 'node:events';
import type { AddressInfo } from 'node:net';
import ssh2, { type Connection, type ServerChannel } from 'ssh2';

export interface KeyPair {
  private: string;
  /** OpenSSH public key line: `ssh-ed25519 AAAA… [comment]`. */
  public: string;
}

/**
 * A key pair ssh2 can read back. Its generator strips leading zero bytes from an ed25519 public
 * key, so about one pair in 256 is malformed (mscdex/ssh2#1390, #1513): draw again until both
 * halves parse, or a test fails once in a few hundred runs.
 */
function usableKeyPair(generate: () => KeyPair): KeyPair {
  for (let attempt = 0; attempt < 20; attempt++) {
    const pair = generate();
    if (
      !(ssh2.utils.parseKey(pair.private) instanceof Error) &&
      !(ssh2.utils.parseKey(pair.public) instanceof Error)
    )
      return pair;
  }
  throw new Error('ssh2 generated no usable key pair in 20 attempts');
}

export function ed25519KeyPair(): KeyPair {
  return usableKeyPair(() => ssh2.utils.generateKeyPairSync('ed25519'));
}

export function ecdsaKeyPair(): KeyPair {
  return usableKeyPair(() => ssh2.utils.generateKeyPairSync('ecdsa', { bits: 256 }));
}

/** `type base64` of an OpenSSH public key line, as a known_hosts line wants it. */
export function keyField(keyPair: KeyPair): string {
  return keyPair.public.split(' ').slice(0, 2).join(' ');
}

/** What a scripted command can do while it "runs". */
export interface ScriptRun {
  out(text: string): void;
  err(text: string): void;
  exit(code: number): void;
  exitSignal(name: string): void;
  /** Resolves with the signal name the client sent, or `close` when it closed the channel. */
  stopped: Promise<string>;
  /** Lets the event loop turn, so output arrives "over time", in separate packets. */
  turn(): Promise<void>;
}

export type Script = (run: ScriptRun) => Promise<void> | void;

export interface TestSshServerOptions {
  hostKeys: KeyPair[];
  /** The one client key allowed to log in as `user`. */
  clientKey: KeyPair;
  user?: string;
  scripts?: Record<string, Script>;
}

export class TestSshServer {
  readonly events = new EventEmitter();
  readonly connections: Connection[] = [];
  readonly auths: { method: string; username: string }[] = [];
  readonly execs: string[] = [];
  readonly signals: string[] = [];
  readonly scripts: Record<string, Script>;
  readonly #server: ssh2.Server;
  port = 0;
  /**
   * Leaves new session channels unanswered (emitting `session-held`), like a node that died
   * without closing its sockets: the client's channel open waits until the connection goes.
   */
  holdSessions = false;

  private constructor(options: TestSshServerOptions) {
    this.scripts = { ...options.scripts };
    const allowed = ssh2.utils.parseKey(options.clientKey.public);
    if (allowed instanceof Error || Array.isArray(allowed)) throw new Error('bad test client key');
    const user = options.user ?? 'root';
    this.#server = new ssh2.Server({ hostKeys: options.hostKeys.map((k) => k.private) }, (client) => {
      // As sshd does (TCP_NODELAY): without it every small reply waits for a delayed ACK.
      // ssh2's server Connection has setNoDelay, but @types/ssh2 does not declare it.
      (client as Connection & { setNoDelay(noDelay: boolean): void }).setNoDelay(true);
      this.connections.push(client);
      this.events.emit('connection', client);
      client.on('error', () => {
        // A client that hangs up abruptly; nothing to assert here.
      });
      client.on('authentication', (ctx) => {
        this.auths.push({ method: ctx.method, username: ctx.username });
        this.events.emit('auth', ctx.method);
        if (ctx.method !== 'publickey' || ctx.username !== user) return ctx.reject(['publickey']);
        const matches =
          ctx.key.algo === allowed.type &&
          ctx.key.data.equals(allowed.getPublicSSH()) &&
          (!ctx.signature ||
            (ctx.blob !== undefined && allowed.verify(ctx.blob, ctx.signature, ctx.hashAlgo)));
        if (matches) ctx.accept();
        else ctx.reject(['publickey']);
      });
      client.on('ready', () => {
        client.on('session', (accept) => {
          if (this.holdSessions) {
            this.events.emit('session-held', client);
            return;
          }
          const session = accept();
          let stopped: (reason: string) => void = () => {};
          const stoppedPromise = new Promise<string>((resolve) => {
            stopped = resolve;
          });
          session.on('signal', (_accept, _reject, info) => {
            this.signals.push(info.name);
            this.events.emit('signal', info.name);
            stopped(info.name);
          });
          session.once('exec', (acceptExec, _reject, info) => {
            this.execs.push(info.command);
            this.events.emit('exec', info.command);
            const stream = acceptExec();
            stream.on('close', () => stopped('close'));
            void this.#play(stream, info.command, stoppedPromise);
          });
        });
      });
    });
  }

  static async start(options: TestSshServerOptions): Promise<TestSshServer> {
    const server = new TestSshServer(options);
    server.#server.listen(0, '127.0.0.1');
    await once(server.#server, 'listening');
    server.port = (server.#server.address() as AddressInfo).port;
    return server;
  }

  /** A known_hosts line for this server, as `ssh-keyscan -p PORT 127.0.0.1` would write it. */
  knownHostsLine(hostKey: KeyPair): string {
    return `[127.0.0.1]:${this.port} ${keyField(hostKey)}`;
  }

  /** Ends every client connection, as sshd does when the node goes down for a reboot. */
  dropConnections(): void {
    for (const connection of this.connections) connection.end();
  }

  async close(): Promise<void> {
    this.dropConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #play(stream: ServerChannel, command: string, stopped: Promise<string>): Promise<void> {
    const script = this.scripts[command];
    const run: ScriptRun = {
      out: (text) => stream.write(text),
      err: (text) => stream.stderr.write(text),
      exit: (code) => {
        stream.exit(code);
        stream.end();
      },
      exitSignal: (name) => {
        stream.exit(name);
        stream.end();
      },
      stopped,
      turn: () => new Promise((resolve) => setImmediate(resolve)),
    };
    if (!script) {
      run.err(`sh: 1: ${command.split(' ')[0]}: not found\n`);
      run.exit(127);
      return;
    }
    await script(run);
  }
}
