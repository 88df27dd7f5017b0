// The runner with the real ssh2 Client against a real ssh2 Server on 127.0.0.1.
import { EventEmitter, getEventListeners, once } from 'node:events';
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../../src/logger.js';
import { KnownHosts } from '../../../src/proxmox/ssh/known-hosts.js';
import { isSshError, type SshError } from '../../../src/proxmox/ssh/ssh-error.js';
import { SshRunner, type SshRunnerOptions } from '../../../src/proxmox/ssh/ssh-runner.js';
import { ecdsaKeyPair, ed25519KeyPair, keyField, type ScriptRun, TestSshServer } from './test-ssh-server.js';

const hostKey = ed25519KeyPair();
const clientKey = ed25519KeyPair();
const DIST_UPGRADE =
  'DEBIAN_FRONTEND=noninteractive apt-get -y -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold dist-upgrade';

/** A logger whose messages a test can wait for. */
function eventLogger(): Logger & { events: EventEmitter; messages: string[] } {
  const events = new EventEmitter();
  const messages: string[] = [];
  const log = (fields: Record<string, unknown>, message: string) => {
    messages.push(`${message} ${JSON.stringify(fields)}`);
    events.emit(message, fields);
  };
  return { events, messages, debug: log, info: log, warn: log, error: log };
}

async function rejection(promise: Promise<unknown>): Promise<SshError> {
  try {
    await promise;
  } catch (error) {
    if (isSshError(error)) return error;
    throw error;
  }
  throw new Error('expected the run to fail');
}

let server: TestSshServer;
const runners: SshRunner[] = [];

function runner(options: Partial<SshRunnerOptions> = {}): SshRunner {
  const created = new SshRunner({
    user: 'root',
    privateKey: clientKey.private,
    keyFile: '/etc/pve-chatops/id_ed25519',
    knownHosts: KnownHosts.parse(server.knownHostsLine(hostKey), '/etc/pve-chatops/known_hosts'),
    connectTimeoutMs: 5_000,
    ...options,
  });
  runners.push(created);
  return created;
}

const target = () => ({ node: 'node02', host: '127.0.0.1', port: server.port });

beforeAll(async () => {
  server = await TestSshServer.start({
    hostKeys: [hostKey],
    clientKey,
    scripts: {
      'apt-get update': async (run: ScriptRun) => {
        run.out('Hit:1 http://deb.debian.org/debian bookworm InRelease\n');
        await run.turn();
        run.out('Get:2 http://download.proxmox.com/debian/pve bookworm InRelease [2,7');
        await run.turn();
        run.out('71 B]\r\n');
        run.err('W: an apt warning\n');
        await run.turn();
        run.out('Reading package lists...\rReading package lists... Done');
        run.exit(0);
      },
      'test -f /var/run/reboot-required': (run) => run.exit(1),
      'ha-manager crm-command node-maintenance enable node02': (run) => {
        run.out('queued\n');
        run.exit(0);
      },
      [DIST_UPGRADE]: async (run) => {
        run.out('Reading package lists...\n');
        const stop = await run.stopped;
        run.err(`got ${stop}\n`);
        run.exitSignal('TERM');
      },
    },
  });
});

afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.close()));
});

afterAll(async () => {
  await server.close();
});

describe('SshRunner against a real SSH server', () => {
  it('streams the lines in order and returns the exit code', async () => {
    const lines: string[] = [];
    const logger = eventLogger();
    const result = await runner({ logger }).run(
      target(),
      { kind: 'apt-update' },
      { onLine: (line, stream) => lines.push(`${stream}: ${line}`) },
    );
    expect(result.exitCode).toBe(0);
    expect(lines.filter((l) => l.startsWith('stdout'))).toEqual([
      'stdout: Hit:1 http://deb.debian.org/debian bookworm InRelease',
      'stdout: Get:2 http://download.proxmox.com/debian/pve bookworm InRelease [2,771 B]',
      'stdout: Reading package lists...',
      'stdout: Reading package lists... Done',
    ]);
    expect(lines).toContain('stderr: W: an apt warning');
    expect(result.tail).toHaveLength(5);
    expect(result.tail.at(-1)).toBe('Reading package lists... Done');
    expect(logger.messages.join('\n')).toContain(
      '"node":"node02","stream":"stderr","line":"W: an apt warning"',
    );
    expect(logger.messages.join('\n')).not.toContain('PRIVATE KEY');
  });

  it('returns a non-zero exit as a result', async () => {
    const result = await runner().run(target(), { kind: 'reboot-required' });
    expect(result).toEqual({ exitCode: 1, tail: [] });
    const missing = await runner().run(target(), {
      kind: 'node-maintenance',
      action: 'disable',
      node: 'node02',
    });
    expect(missing.exitCode).toBe(127);
    expect(missing.tail).toEqual(['sh: 1: ha-manager: not found']);
  });

  it('refuses an unknown host before authenticating, and says how to add it', async () => {
    const auths = server.auths.length;
    const execs = server.execs.length;
    const error = await rejection(
      runner({ knownHosts: KnownHosts.parse(`127.0.0.1 ${keyField(hostKey)}`, '/etc/kh') }).run(target(), {
        kind: 'apt-update',
      }),
    );
    expect(error.code).toBe('SSH_HOST_KEY_UNKNOWN');
    expect(error.transient).toBe(false);
    expect(error.node).toBe('node02');
    expect(error.message).toContain(`ssh-keyscan -p ${server.port} 127.0.0.1 >> /etc/kh`);
    expect(error.message).toContain('node02');
    expect(error.message).toMatch(/SHA256:[A-Za-z0-9+/]{43}/);
    expect(server.auths.length).toBe(auths);
    expect(server.execs.length).toBe(execs);
  });

  it('refuses a changed host key before authenticating', async () => {
    const auths = server.auths.length;
    const execs = server.execs.length;
    const other = ed25519KeyPair();
    const error = await rejection(
      runner({ knownHosts: KnownHosts.parse(server.knownHostsLine(other), '/etc/kh') }).run(target(), {
        kind: 'apt-update',
      }),
    );
    expect(error.code).toBe('SSH_HOST_KEY_CHANGED');
    expect(error.message).toContain(
      `the host key of node02 (127.0.0.1:${server.port}) is not the one in /etc/kh`,
    );
    expect(error.message).toContain('update /etc/kh');
    expect(server.auths.length).toBe(auths);
    expect(server.execs.length).toBe(execs);
  });

  it('refuses a @revoked host key', async () => {
    const knownHosts = KnownHosts.parse(
      `${server.knownHostsLine(hostKey)}\n@revoked * ${keyField(hostKey)}\n`,
      '/etc/kh',
    );
    const error = await rejection(runner({ knownHosts }).run(target(), { kind: 'apt-update' }));
    expect(error.code).toBe('SSH_HOST_KEY_CHANGED');
    expect(error.message).toContain('@revoked');
  });

  it('refuses a wrong client key as SSH_AUTH_FAILED, naming the key file', async () => {
    const execs = server.execs.length;
    const error = await rejection(
      runner({ privateKey: ed25519KeyPair().private }).run(target(), { kind: 'apt-update' }),
    );
    expect(error.code).toBe('SSH_AUTH_FAILED');
    expect(error.message).toContain('/etc/pve-chatops/id_ed25519');
    expect(error.transient).toBe(false);
    expect(server.execs.length).toBe(execs);
  });

  it('refuses a key it cannot use as SSH_KEY_INVALID, without connecting', async () => {
    const connections = server.connections.length;
    const other = ed25519KeyPair();
    const locked = ssh2.utils.generateKeyPairSync('ed25519', {
      passphrase: 'secret',
      cipher: 'aes256-cbc',
      rounds: 1,
    });
    for (const privateKey of ['not a key', locked.private, other.public]) {
      const error = await rejection(runner({ privateKey }).run(target(), { kind: 'apt-update' }));
      expect(error.code).toBe('SSH_KEY_INVALID');
      expect(error.message).toContain('/etc/pve-chatops/id_ed25519');
    }
    expect(server.connections.length).toBe(connections);
  });

  it('gives up on a socket that never speaks SSH: SSH_TIMEOUT, transient', async () => {
    const sockets: Socket[] = [];
    const silent: NetServer = createServer((socket) => sockets.push(socket));
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    try {
      const port = (silent.address() as AddressInfo).port;
      const error = await rejection(
        runner({ connectTimeoutMs: 300 }).run(
          { node: 'node03', host: '127.0.0.1', port },
          { kind: 'apt-update' },
        ),
      );
      expect(error.code).toBe('SSH_TIMEOUT');
      expect(error.transient).toBe(true);
      expect(error.message).toContain('node03');
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });

  it('reports a refused connection as SSH_CONNECTION, transient', async () => {
    const closed: NetServer = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await rejection(
      runner().run({ node: 'node04', host: '127.0.0.1', port }, { kind: 'apt-update' }),
    );
    expect(error.code).toBe('SSH_CONNECTION');
    expect(error.transient).toBe(true);
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('aborts a running command: TERM, the channel closed, SSH_ABORTED, no listener left', async () => {
    const controller = new AbortController();
    const started = once(server.events, 'exec');
    const run = runner().run(
      target(),
      { kind: 'dist-upgrade' },
      {
        signal: controller.signal,
        onLine: (line) => {
          if (line === 'Reading package lists...') controller.abort();
        },
      },
    );
    const error = await rejection(run);
    await started;
    expect(error.code).toBe('SSH_ABORTED');
    expect(error.transient).toBe(false);
    expect(error.tail).toEqual(['Reading package lists...']);
    if (server.signals.at(-1) !== 'TERM') await once(server.events, 'signal');
    expect(server.signals.at(-1)).toBe('TERM');
    expect(getEventListeners(controller.signal, 'abort')).toEqual([]);
  });

  it('lets a dist-upgrade in flight finish before close() ends the connections, and names it meanwhile', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const original = server.scripts[DIST_UPGRADE]!;
    server.scripts[DIST_UPGRADE] = async (run) => {
      run.out('Unpacking pve-manager (9.1.2) over (9.1.1) ...\n');
      await gate;
      run.out('Setting up pve-manager (9.1.2) ...\n');
      run.exit(0);
    };
    try {
      const logger = eventLogger();
      const ssh = runner({ logger });
      const order: string[] = [];
      // The upgrade goes on only once close() has said it waits for it.
      logger.events.once('ssh: closing once the dist-upgrade finishes', () => release());
      let closing: Promise<void> | undefined;
      const upgrade = ssh.run(
        target(),
        { kind: 'dist-upgrade' },
        {
          onLine: (line) => {
            if (!line.startsWith('Unpacking')) return;
            // The process stops (SIGTERM) while dpkg unpacks.
            closing = ssh.close().then(() => void order.push('closed'));
            expect(ssh.neverCutInFlight()).toEqual(['apt-get dist-upgrade on node02']);
          },
        },
      );
      const result = await upgrade;
      order.push('upgrade finished');
      await closing;
      expect(result.exitCode).toBe(0);
      expect(order).toEqual(['upgrade finished', 'closed']);
      expect(ssh.neverCutInFlight()).toEqual([]);
    } finally {
      server.scripts[DIST_UPGRADE] = original;
    }
  });

  it('refuses an already aborted signal without connecting', async () => {
    const connections = server.connections.length;
    const error = await rejection(
      runner().run(target(), { kind: 'apt-update' }, { signal: AbortSignal.abort() }),
    );
    expect(error.code).toBe('SSH_ABORTED');
    expect(server.connections.length).toBe(connections);
  });

  it('stops a command that outruns its timeout: SSH_TIMEOUT, not transient', async () => {
    const error = await rejection(runner().run(target(), { kind: 'dist-upgrade' }, { timeoutMs: 200 }));
    expect(error.code).toBe('SSH_TIMEOUT');
    expect(error.transient).toBe(false);
    expect(error.message).toContain('200 ms');
  });

  it('reports a signal exit as 128 + the signal number', async () => {
    const controller = new AbortController();
    server.scripts['test -f /var/run/reboot-required'] = (run) => run.exitSignal('KILL');
    try {
      const result = await runner().run(target(), { kind: 'reboot-required' }, { signal: controller.signal });
      expect(result).toEqual({ exitCode: 137, signal: 'SIGKILL', tail: [] });
    } finally {
      server.scripts['test -f /var/run/reboot-required'] = (run) => run.exit(1);
    }
  });

  it('reuses one connection per node, also for runs at the same time', async () => {
    const connections = server.connections.length;
    const ssh = runner();
    const results = await Promise.all([
      ssh.run(target(), { kind: 'reboot-required' }),
      ssh.run(target(), { kind: 'node-maintenance', action: 'enable', node: 'node02' }),
    ]);
    await ssh.run(target(), { kind: 'apt-update' });
    expect(results.map((r) => r.exitCode)).toEqual([1, 0]);
    expect(server.connections.length).toBe(connections + 1);
  });

  it('reopens the connection after the node dropped it (a reboot)', async () => {
    const logger = eventLogger();
    const ssh = runner({ logger });
    const connections = server.connections.length;
    await ssh.run(target(), { kind: 'reboot-required' });
    const noticed = once(logger.events, 'ssh connection closed');
    server.dropConnections();
    await noticed;
    const result = await ssh.run(target(), { kind: 'node-maintenance', action: 'enable', node: 'node02' });
    expect(result.exitCode).toBe(0);
    expect(server.connections.length).toBe(connections + 2);
  });

  it('retries once on a fresh connection when the kept one died unnoticed', async () => {
    const logger = eventLogger();
    const ssh = runner({ logger });
    const connections = server.connections.length;
    await ssh.run(target(), { kind: 'reboot-required' });
    // The node stops answering; the connection is only found dead once it closes under the
    // channel open, which proves the command never left.
    server.holdSessions = true;
    const held = once(server.events, 'session-held');
    const run = ssh.run(target(), { kind: 'reboot-required' });
    const [heldConnection] = (await held) as [{ end(): void }];
    server.holdSessions = false;
    heldConnection.end();
    const result = await run;
    expect(result.exitCode).toBe(1);
    expect(server.connections.length).toBe(connections + 2);
    expect(logger.messages.some((m) => m.startsWith('ssh connection was gone; reconnecting once'))).toBe(
      true,
    );
  });

  it('reports a connection that drops mid-command as SSH_CONNECTION, not transient, with the tail', async () => {
    const ssh = runner();
    const run = ssh.run(
      target(),
      { kind: 'dist-upgrade' },
      { onLine: (line) => line === 'Reading package lists...' && server.dropConnections() },
    );
    const error = await rejection(run);
    expect(error.code).toBe('SSH_CONNECTION');
    expect(error.transient).toBe(false);
    expect(error.message).toContain('may have finished or not');
    expect(error.tail).toEqual(['Reading package lists...']);
  });

  it('offers only the host key types known_hosts lists, so another key type cannot look "changed"', async () => {
    const ecdsa = ecdsaKeyPair();
    const both = await TestSshServer.start({
      hostKeys: [hostKey, ecdsa],
      clientKey,
      scripts: { 'test -f /var/run/reboot-required': (run) => run.exit(0) },
    });
    try {
      // Left to itself, ssh2 would negotiate ed25519, which this file does not list.
      const knownHosts = KnownHosts.parse(both.knownHostsLine(ecdsa));
      const result = await runner({ knownHosts }).run(
        { node: 'node05', host: '127.0.0.1', port: both.port },
        { kind: 'reboot-required' },
      );
      expect(result.exitCode).toBe(0);
    } finally {
      await both.close();
    }
  });

  it('calls it a changed key when the node has none of the key types listed', async () => {
    const knownHosts = KnownHosts.parse(server.knownHostsLine(ecdsaKeyPair()), '/etc/kh');
    const error = await rejection(runner({ knownHosts }).run(target(), { kind: 'apt-update' }));
    expect(error.code).toBe('SSH_HOST_KEY_CHANGED');
    expect(error.message).toContain('none of the host key types /etc/kh lists for it (ecdsa-sha2-nistp256)');
  });

  it('leaves no listener behind on its kept connection, run after run', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const ssh = runner();
      for (let i = 0; i < 12; i++) await ssh.run(target(), { kind: 'reboot-required' });
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.map((w) => w.name)).not.toContain('MaxListenersExceededWarning');
  });

  it('fromConfig reads the key and known_hosts files, and re-reads known_hosts once fixed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ssh-runner-'));
    const keyFile = join(dir, 'id_ed25519');
    const knownHostsFile = join(dir, 'known_hosts');
    writeFileSync(keyFile, clientKey.private, { mode: 0o600 });
    writeFileSync(knownHostsFile, '# nothing yet\n');
    const ssh = SshRunner.fromConfig({ user: 'root', keyFile, knownHostsFile, port: server.port });
    runners.push(ssh);
    const node = { node: 'node02', host: '127.0.0.1' };
    const error = await rejection(ssh.run(node, { kind: 'reboot-required' }));
    expect(error.code).toBe('SSH_HOST_KEY_UNKNOWN');
    expect(error.message).toContain(`>> ${knownHostsFile}`);
    appendFileSync(knownHostsFile, `${server.knownHostsLine(hostKey)}\n`);
    expect((await ssh.run(node, { kind: 'reboot-required' })).exitCode).toBe(1);
  });

  it('fromConfig reports an unreadable key file as SSH_KEY_INVALID on run', async () => {
    const logger = eventLogger();
    const dir = mkdtempSync(join(tmpdir(), 'ssh-runner-'));
    const ssh = SshRunner.fromConfig(
      { user: 'root', keyFile: join(dir, 'missing'), knownHostsFile: join(dir, 'kh'), port: server.port },
      logger,
    );
    runners.push(ssh);
    const error = await rejection(ssh.run(target(), { kind: 'apt-update' }));
    expect(error.code).toBe('SSH_KEY_INVALID');
    expect(error.message).toContain(join(dir, 'missing'));
    expect(logger.messages.some((m) => m.includes('ENOENT'))).toBe(true);
  });

  it('close() ends every connection and refuses later runs', async () => {
    const ssh = runner();
    await ssh.run(target(), { kind: 'reboot-required' });
    const serverSide = server.connections.at(-1)!;
    const ended = once(serverSide, 'close');
    await ssh.close();
    await ended;
    const error = await rejection(ssh.run(target(), { kind: 'reboot-required' }));
    expect(error.code).toBe('SSH_CONNECTION');
  });
});
