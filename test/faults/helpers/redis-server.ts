// A private redis-server for a fault test: its own port and data directory, append-only file on
// with an fsync before every reply (`appendfsync always`), so whatever Redis acknowledged is on
// disk. It can be SIGKILLed and started again on the same port and directory.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export class RedisServer {
  readonly port: number;
  readonly dir: string;
  #process: ChildProcess | undefined;
  #output = '';

  private constructor(port: number, dir: string) {
    this.port = port;
    this.dir = dir;
  }

  static async start(): Promise<RedisServer> {
    const server = new RedisServer(await freePort(), await mkdtemp(join(tmpdir(), 'pve-chatops-redis-')));
    await server.restart();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts redis-server (again) on the same port and directory; resolves once it accepts connections. */
  async restart(): Promise<void> {
    if (this.#process) throw new Error('redis-server is already running');
    this.#output = '';
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--dir',
        this.dir,
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--save',
        '',
        '--daemonize',
        'no',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.#process = child;
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        this.#output = (this.#output + chunk.toString()).slice(-8_000);
        if (this.#output.includes('Ready to accept connections')) {
          child.stdout?.off('data', onData);
          resolve();
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code) =>
        reject(new Error(`redis-server exited ${code} while starting:\n${this.#output}`)),
      );
    });
    // Keep draining its log so a full pipe never blocks it.
    child.stdout?.resume();
  }

  /** What the last start printed (e.g. that it loaded the append-only file). */
  get log(): string {
    return this.#output;
  }

  /**
   * SIGSTOP: the process freezes with its connections open. Clients' commands are sent and wait
   * in its sockets; they run, in order, on resume().
   */
  pause(): void {
    this.#process?.kill('SIGSTOP');
  }

  /** SIGCONT after pause(). */
  resume(): void {
    this.#process?.kill('SIGCONT');
  }

  /** SIGKILL: no shutdown, no final save; only what the append-only file holds survives. */
  async kill(): Promise<void> {
    const child = this.#process;
    this.#process = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    await this.kill();
    await rm(this.dir, { recursive: true, force: true });
  }
}
