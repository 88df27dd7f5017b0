// Runs the commands PVE has no API for (upgrades: pve-manager PVE/API2/APT.pm only refreshes and
// lists packages; HA node maintenance: only the ha-manager CLI, see ssh-command.ts) on a
// node over SSH, as root, with the node's host key checked against known_hosts first. One
// connection per node, kept open across run() calls and reopened when it dropped (a reboot).
import { readFileSync } from 'node:fs';
// ssh2 is CommonJS; Node's ESM loader cannot see its named exports, only the default one.
import ssh2, { type Client } from 'ssh2';
import type { SshConfig } from '../../config.js';
import { type Logger, silentLogger } from '../../logger.js';
import { endpointOf } from './connect-error.js';
import { connectSsh } from './connect-ssh.js';
import { type ExecOutcome, execCommand, type OutputStream, type SshResult } from './exec-command.js';
import type { KnownHosts } from './known-hosts.js';
import { knownHostsFile } from './known-hosts-file.js';
import { privateKeyProblem } from './private-key-problem.js';
import { commandLine, type SshCommand } from './ssh-command.js';
import { SshError } from './ssh-error.js';
import { whileNotAborted } from './while-not-aborted.js';

export type { SshResult } from './exec-command.js';

export interface SshTarget {
  /** The PVE node name: the connection's key, and the name every message uses. */
  node: string;
  /** The node's address (the `ip` of its /cluster/status entry). */
  host: string;
  /** The node's sshd port; defaults to the runner's port (SSH_PORT, else 22). */
  port?: number;
}

export interface SshRunOptions {
  /** Every complete output line as it arrives (CR, LF and CRLF end a line; a last partial line is flushed at exit). */
  onLine?: (line: string, stream: OutputStream) => void;
  /** For the whole command, once connected; default 30 min for dist-upgrade, 5 min otherwise. */
  timeoutMs?: number;
  /** Abort: the command gets TERM, its channel is closed, and run() rejects with SSH_ABORTED. */
  signal?: AbortSignal;
}

export interface SshRunnerOptions {
  user: string;
  privateKey: string | Buffer;
  /** Where the key came from, for messages (never the key itself). Default: "the SSH private key". */
  keyFile?: string;
  /**
   * The trusted host keys, or a function that reads them afresh for each new connection, so an
   * operator who fixed known_hosts after an SSH_HOST_KEY_* error need not restart the worker.
   */
  knownHosts: KnownHosts | (() => KnownHosts);
  /** Default sshd port for targets that name none. Default 22. */
  port?: number;
  /** SSH handshake and authentication must complete within this. Default 10 s. */
  connectTimeoutMs?: number;
  /** SSH keepalive interval; three missed ones close the connection. Default 15 s. */
  keepaliveIntervalMs?: number;
  logger?: Logger;
}

const MINUTE = 60_000;
const DIST_UPGRADE_TIMEOUT_MS = 30 * MINUTE;
const COMMAND_TIMEOUT_MS = 5 * MINUTE;

interface Connection {
  endpoint: string;
  client: Client;
  /** Settles when the connection is authenticated (or failed to be). */
  ready: Promise<void>;
  /** Resolves when the socket closed, whatever the reason. */
  closed: Promise<void>;
  isReady: boolean;
}

export class SshRunner {
  readonly #user: string;
  readonly #privateKey: string | Buffer;
  readonly #keyFile: string;
  #keyProblem: string | undefined;
  readonly #knownHosts: () => KnownHosts;
  readonly #port: number;
  readonly #connectTimeoutMs: number;
  readonly #keepaliveIntervalMs: number;
  readonly #logger: Logger;
  readonly #connections = new Map<string, Connection>();
  /** The dist-upgrades running now, by what they are (one per node at most: the node lock sees to it). */
  readonly #neverCut = new Map<string, Promise<unknown>>();
  #closed = false;

  constructor(options: SshRunnerOptions) {
    this.#user = options.user;
    this.#privateKey = options.privateKey;
    this.#keyFile = options.keyFile ?? 'the SSH private key';
    // Checked once, here; reported by every run() as SSH_KEY_INVALID, so an upgrade job can tell
    // its user why, while the rest of the worker (API jobs) keeps running.
    this.#keyProblem = privateKeyProblem(options.privateKey, this.#keyFile);
    const knownHosts = options.knownHosts;
    this.#knownHosts = typeof knownHosts === 'function' ? knownHosts : () => knownHosts;
    this.#port = options.port ?? 22;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.#keepaliveIntervalMs = options.keepaliveIntervalMs ?? 15_000;
    this.#logger = options.logger ?? silentLogger;
  }

  /** The runner SSH_USER, SSH_KEY_FILE, SSH_KNOWN_HOSTS and SSH_PORT describe. */
  static fromConfig(config: SshConfig, logger: Logger = silentLogger): SshRunner {
    let privateKey: Buffer;
    let readProblem: string | undefined;
    try {
      privateKey = readFileSync(config.keyFile);
    } catch (error) {
      privateKey = Buffer.alloc(0);
      readProblem = `cannot read SSH_KEY_FILE ${config.keyFile}: ${error instanceof Error ? error.message : String(error)}`;
    }
    const runner = new SshRunner({
      user: config.user,
      privateKey,
      keyFile: config.keyFile,
      knownHosts: knownHostsFile(config.knownHostsFile, logger),
      port: config.port,
      logger,
    });
    if (readProblem) runner.#keyProblem = readProblem;
    if (runner.#keyProblem) logger.error({ file: config.keyFile }, runner.#keyProblem);
    return runner;
  }

  /**
   * Runs `command` on the node and resolves with its exit status, whatever it is. Rejects with an
   * SshError only when the command could not run to its end (see SshErrorCode).
   */
  async run(target: SshTarget, command: SshCommand, options: SshRunOptions = {}): Promise<SshResult> {
    if (command.kind !== 'dist-upgrade') return this.#run(target, command, options);
    const what = `apt-get dist-upgrade on ${target.node}`;
    const running = this.#run(target, command, options);
    this.#neverCut.set(what, running);
    try {
      return await running;
    } finally {
      this.#neverCut.delete(what);
    }
  }

  /**
   * The commands in flight that must never be cut (each dist-upgrade, by node): a process stopping
   * waits for them (wait-for-stop-signal.ts, holdWhile).
   */
  neverCutInFlight(): string[] {
    return [...this.#neverCut.keys()];
  }

  async #run(target: SshTarget, command: SshCommand, options: SshRunOptions): Promise<SshResult> {
    const line = commandLine(command);
    const { node } = target;
    const fail = (code: 'SSH_ABORTED' | 'SSH_KEY_INVALID', message: string) =>
      new SshError({ code, node, message });
    if (this.#keyProblem) throw fail('SSH_KEY_INVALID', this.#keyProblem);
    const aborted = () => fail('SSH_ABORTED', `\`${line}\` on ${node} was aborted before it started`);
    if (options.signal?.aborted) throw aborted();

    const timeoutMs =
      options.timeoutMs ?? (command.kind === 'dist-upgrade' ? DIST_UPGRADE_TIMEOUT_MS : COMMAND_TIMEOUT_MS);
    const exec = (client: Client) =>
      execCommand(client, line, { node, logger: this.#logger }, { ...options, timeoutMs });

    const first = this.#connectionTo(target);
    let connection = first.connection;
    await whileNotAborted(connection.ready, options.signal, aborted);
    let outcome: ExecOutcome = await exec(connection.client);
    if (outcome.kind === 'not-sent' && first.reused) {
      // A kept connection that died unnoticed (the node rebooted): the command never left, so one
      // fresh connection may try it.
      this.#logger.debug({ node }, 'ssh connection was gone; reconnecting once');
      this.#forget(node, connection);
      ({ connection } = this.#connectionTo(target));
      await whileNotAborted(connection.ready, options.signal, aborted);
      outcome = await exec(connection.client);
    }
    if (outcome.kind === 'not-sent') {
      throw new SshError({
        code: 'SSH_CONNECTION',
        node,
        transient: true,
        cause: outcome.cause,
        message: `the SSH connection to ${node} closed before \`${line}\` could start; nothing ran`,
      });
    }
    this.#logger.debug({ node, command: line, exitCode: outcome.result.exitCode }, 'ssh command finished');
    return outcome.result;
  }

  /**
   * Refuses further runs, lets a dist-upgrade in flight finish (never cut, even when the worker
   * stops without Redis and so without waiting for its jobs), then ends every connection (other
   * in-flight commands see SSH_CONNECTION).
   */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#neverCut.size > 0) {
      this.#logger.info({ running: this.neverCutInFlight() }, 'ssh: closing once the dist-upgrade finishes');
      await Promise.allSettled(this.#neverCut.values());
    }
    const connections = [...this.#connections.values()];
    this.#connections.clear();
    for (const connection of connections) endConnection(connection);
    await Promise.all(connections.map((c) => c.closed));
  }

  /** The node's open (or opening) connection, or a new one; `reused` when it was there before. */
  #connectionTo(target: SshTarget): { connection: Connection; reused: boolean } {
    if (this.#closed) {
      throw new SshError({ code: 'SSH_CONNECTION', node: target.node, message: 'the SSH runner is closed' });
    }
    const port = target.port ?? this.#port;
    const endpoint = endpointOf(target.host, port);
    const existing = this.#connections.get(target.node);
    if (existing?.endpoint === endpoint) return { connection: existing, reused: true };
    // The node's address changed: its old connection is of no more use.
    if (existing) this.#forget(target.node, existing);

    const client = new ssh2.Client();
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    const ready = connectSsh(client, {
      node: target.node,
      host: target.host,
      port,
      user: this.#user,
      keyFile: this.#keyFile,
      privateKey: this.#privateKey,
      knownHosts: this.#knownHosts(),
      connectTimeoutMs: this.#connectTimeoutMs,
      keepaliveIntervalMs: this.#keepaliveIntervalMs,
      logger: this.#logger,
    });
    const connection: Connection = { endpoint, client, ready, closed, isReady: false };
    this.#connections.set(target.node, connection);
    // A failed connect is not kept: the next run() tries afresh.
    ready.then(
      () => {
        connection.isReady = true;
      },
      () => this.#forget(target.node, connection),
    );
    void closed.then(() => {
      this.#logger.debug({ node: target.node, endpoint }, 'ssh connection closed');
      this.#forget(target.node, connection);
    });
    return { connection, reused: false };
  }

  #forget(node: string, connection: Connection): void {
    if (this.#connections.get(node) === connection) this.#connections.delete(node);
    endConnection(connection);
  }
}

/** A polite SSH disconnect when there is a session; a connect in progress is simply cut. */
function endConnection(connection: Connection): void {
  if (connection.isReady) connection.client.end();
  else connection.client.destroy();
}
