// The nodes' sshd as a client meets it: one port for the whole cluster, each node on its own
// address with its own host key, only root with the bot's key, only exec, only the fixed commands.
import { readFileSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, type SimCluster, startSimulator } from '../../src/sim/simulator.js';
import { generateEd25519 } from '../../src/sim/ssh/ssh-keys.js';
import { eventually } from './helpers/eventually.js';
import { sshConnect, sshExec, sshRun } from './helpers/ssh-client.js';

const REBOOT_CHECK = 'test -f /var/run/reboot-required';

describe('the simulated nodes’ sshd', () => {
  let sim: RunningSimulator<SimCluster>;
  beforeAll(async () => {
    sim = await startSimulator({ port: 0, speed: 100, authFailureDelayMs: 0 });
  });
  afterAll(() => sim.stop());

  it('serves every node on the same port at its own address, with its own published host key', async () => {
    expect(sim.ssh.port).toBeGreaterThan(0);
    expect(sim.ssh.user).toBe('root');
    expect(sim.ssh.clientPrivateKey).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----\n/);
    const keys = sim.nodes.map((node) => sim.ssh.hostKeys[node]);
    expect(new Set(keys).size).toBe(3);
    for (const key of keys) expect(key).toMatch(/^ssh-ed25519 AAAA[\w+/=]+$/);
    expect(sim.ssh.knownHosts.trimEnd().split('\n')).toEqual(
      sim.nodes.map(
        (node, i) =>
          `[127.20.1.${101 + i}]:${sim.ssh.port},[${node}]:${sim.ssh.port} ${sim.ssh.hostKeys[node]}`,
      ),
    );
    for (const node of sim.nodes) {
      let presented = '';
      const client = await sshConnect(sim, node, {
        onHostKey: (key) => {
          presented = key;
        },
      });
      client.end();
      expect(presented).toBe(sim.ssh.hostKeys[node]);
    }
  });

  it('lets only root in, with the bot’s key', async () => {
    await expect(sshConnect(sim, 'node01', { username: 'admin' })).rejects.toMatchObject({
      level: 'client-authentication',
    });
    await expect(
      sshConnect(sim, 'node01', { privateKey: generateEd25519().privateKey }),
    ).rejects.toMatchObject({ level: 'client-authentication' });
    await expect(sshConnect(sim, 'node01', { password: sim.rootPassword })).rejects.toMatchObject({
      level: 'client-authentication',
    });
  });

  it('refuses any other command with 127, records it, and the connection stays usable', async () => {
    const client = await sshConnect(sim, 'node02');
    try {
      const before = sim.sshCommands.length;
      const refused = await sshExec(client, 'cat /etc/shadow');
      expect(refused).toEqual({
        code: 127,
        stdout: '',
        stderr: 'pve-sim: command not allowed: cat /etc/shadow\n',
      });
      // Near misses are other commands too: the lines must match exactly.
      expect((await sshExec(client, 'apt-get update; reboot')).code).toBe(127);
      expect((await sshExec(client, 'apt-get  update')).code).toBe(127);
      expect(await sshExec(client, REBOOT_CHECK)).toEqual({ code: 1, stdout: '', stderr: '' });
      expect(sim.sshCommands.slice(before)).toEqual([
        { node: 'node02', command: 'cat /etc/shadow', exitCode: 127, at: expect.any(Number) },
        { node: 'node02', command: 'apt-get update; reboot', exitCode: 127, at: expect.any(Number) },
        { node: 'node02', command: 'apt-get  update', exitCode: 127, at: expect.any(Number) },
        { node: 'node02', command: REBOOT_CHECK, exitCode: 1, at: expect.any(Number) },
      ]);
    } finally {
      client.end();
    }
  });

  it('offers no shell, pty, sftp or port forwarding', async () => {
    const client = await sshConnect(sim, 'node01');
    try {
      await expect(
        new Promise((resolve, reject) =>
          client.shell((error, stream) => (error ? reject(error) : resolve(stream))),
        ),
      ).rejects.toThrow();
      await expect(
        new Promise((resolve, reject) =>
          client.exec(REBOOT_CHECK, { pty: true }, (error, stream) =>
            error ? reject(error) : resolve(stream),
          ),
        ),
      ).rejects.toThrow();
      await expect(
        new Promise((resolve, reject) =>
          client.sftp((error, sftp) => (error ? reject(error) : resolve(sftp))),
        ),
      ).rejects.toThrow();
      await expect(
        new Promise((resolve, reject) =>
          client.forwardOut('127.0.0.1', 0, '127.20.1.102', 8006, (error, stream) =>
            error ? reject(error) : resolve(stream),
          ),
        ),
      ).rejects.toThrow();
      // Still usable after all those refusals.
      expect((await sshExec(client, REBOOT_CHECK)).code).toBe(1);
    } finally {
      client.end();
    }
  });

  it('writes the SSH_* variables with a key file and a known_hosts file that exist', () => {
    const env = sim.env();
    expect(env).toMatchObject({ SSH_USER: 'root', SSH_PORT: String(sim.ssh.port) });
    expect(readFileSync(env.SSH_KEY_FILE as string, 'utf8')).toBe(sim.ssh.clientPrivateKey);
    expect(statSync(env.SSH_KEY_FILE as string).mode & 0o777).toBe(0o600);
    expect(readFileSync(env.SSH_KNOWN_HOSTS as string, 'utf8')).toBe(sim.ssh.knownHosts);
  });
});

describe('SSH faults', () => {
  let sim: RunningSimulator<SimCluster>;
  beforeAll(async () => {
    sim = await startSimulator({ port: 0, speed: 100, authFailureDelayMs: 0 });
  });
  afterAll(() => sim.stop());

  it('changeSshHostKey presents a new key that the published known_hosts does not match', async () => {
    const published = sim.ssh.hostKeys.node03 as string;
    const knownHosts = sim.ssh.knownHosts;
    const open = await sshConnect(sim, 'node03');
    const closed = new Promise<void>((resolve) => open.on('close', () => resolve()));
    const fresh = sim.faults.changeSshHostKey('node03');
    expect(fresh).not.toBe(published);
    // A reinstalled node drops what was connected to the old one.
    await closed;

    let presented = '';
    await expect(
      sshConnect(sim, 'node03', {
        onHostKey: (key) => {
          presented = key;
        },
      }),
    ).rejects.toThrow(/verification failed/i);
    expect(presented).toBe(fresh);
    // The client's files are now stale: that is the point.
    expect(sim.ssh.hostKeys.node03).toBe(published);
    expect(sim.ssh.knownHosts).toBe(knownHosts);
    // Trusting the new key works.
    const trusting = await sshConnect(sim, 'node03', { hostKey: fresh });
    try {
      expect((await sshExec(trusting, REBOOT_CHECK)).code).toBe(1);
    } finally {
      trusting.end();
    }
  });

  it('a node that is down refuses SSH and its running command dies; it is back when the node is', async () => {
    const client = await sshConnect(sim, 'node02');
    const closed = new Promise<void>((resolve) => client.on('close', () => resolve()));
    const upgrade = sshExec(
      client,
      'DEBIAN_FRONTEND=noninteractive apt-get -y -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold dist-upgrade',
    );
    await eventually(
      async () => sim.sshCommands.some((c) => c.node === 'node02' && c.command.endsWith('dist-upgrade')),
      'the upgrade to start',
    );
    const pending = sim.cluster.node('node02').pendingUpdates.length;
    await sim.faults.nodeDown('node02');
    await closed;
    expect((await upgrade).code).toBeNull();
    expect(sim.sshCommands.findLast((c) => c.node === 'node02')?.exitCode).toBeNull();
    // The upgrade died half-way: nothing counts as installed.
    expect(sim.cluster.node('node02').pendingUpdates).toHaveLength(pending);
    await expect(sshConnect(sim, 'node02')).rejects.toMatchObject({ code: 'ECONNREFUSED' });

    await sim.faults.nodeUp('node02');
    expect((await sshRun(sim, 'node02', REBOOT_CHECK)).code).toBe(1);
  });

  it('sshDown stops only sshd; sshUp brings it back on the same port', async () => {
    await sim.faults.sshDown('node01');
    await expect(sshConnect(sim, 'node01')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(sim.cluster.isNodeOnline('node01')).toBe(true);
    await sim.faults.sshUp('node01');
    expect((await sshRun(sim, 'node01', REBOOT_CHECK)).code).toBe(1);
  });

  it('a node rebooted through the API takes its sshd down and back', async () => {
    sim.cluster.requestPowerAction('node01', 'reboot');
    await eventually(async () => !sim.cluster.isNodeOnline('node01'), 'node01 down');
    await expect(sshRun(sim, 'node01', REBOOT_CHECK)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await eventually(async () => sim.cluster.isNodeOnline('node01'), 'node01 back');
    // The listener reopens right after the boot; the first attempts may still be refused.
    const result = await eventually(() => sshRun(sim, 'node01', REBOOT_CHECK), 'sshd back on node01');
    expect(result.code).toBe(1);
  });
});
