// `/pve replication` and `/pve replicate` end to end through the console adapter: the real core,
// policy and approvals on Redis, the real worker and outbox, real HTTPS to the simulator.
import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { ConsoleAdapter } from '../../src/bots/console/console-adapter.js';
import { DEMO_POLICY } from '../../src/bots/run-demo-command.js';
import { sshRunnerForSimulator } from '../../src/bots/simulator-ssh.js';
import { type RunningChatOps, startChatOps } from '../../src/bots/start-chatops.js';
import { parsePolicy } from '../../src/core/policy/index.js';
import { createRedis } from '../../src/jobs/redis-connection.js';
import { silentLogger } from '../../src/logger.js';
import { ProxmoxClient } from '../../src/proxmox/proxmox-client.js';
import { type RunningSimulator, type SimCluster, startSimulator } from '../../src/sim/simulator.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

interface Chat {
  sim: RunningSimulator<SimCluster>;
  redis: Redis;
  prefix: string;
  type(line: string): void;
  /** Resolves once the console printed text matching. */
  printed(pattern: RegExp): Promise<string>;
  output(): string;
  stop(): Promise<void>;
}

async function startChat(): Promise<Chat> {
  const sim = await startSimulator({ port: 0, speed: 50, authFailureDelayMs: 0 });
  const redis = createRedis(REDIS_URL, silentLogger, 'test');
  const prefix = `test-${randomUUID()}`;
  const input = new PassThrough();
  const output = new PassThrough();
  let text = '';
  const waiters: Array<{ pattern: RegExp; resolve: (m: string) => void }> = [];
  output.on('data', (chunk: Buffer) => {
    text += chunk.toString();
    for (const waiter of [...waiters]) {
      const match = waiter.pattern.exec(text);
      if (match) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(match[0]);
      }
    }
  });
  const pve = new ProxmoxClient({
    hosts: sim.hosts,
    tokenId: sim.tokenId,
    tokenSecret: sim.tokenSecret,
    fingerprints: sim.fingerprints,
  });
  const ssh = sshRunnerForSimulator(sim.ssh);
  const consoleAdapter = new ConsoleAdapter({ input, output, user: 'alice' });
  const app: RunningChatOps = await startChatOps({
    redis,
    prefix,
    pve,
    ssh,
    pveUser: sim.tokenId,
    policy: parsePolicy(DEMO_POLICY, 'demo policy'),
    adapters: [consoleAdapter],
    logger: silentLogger,
    worker: { concurrency: 4, lockMs: 30_000 },
    consumer: 'test',
  });
  return {
    sim,
    redis,
    prefix,
    type: (line) => input.write(`${line}\n`),
    printed: (pattern) => {
      const match = pattern.exec(text);
      if (match) return Promise.resolve(match[0]);
      return new Promise((resolve) => waiters.push({ pattern, resolve }));
    },
    output: () => text,
    async stop() {
      input.end();
      await app.stop();
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.unlink(...keys);
      redis.disconnect();
      await ssh.close();
      await pve.close();
      await sim.stop();
    },
  };
}

let chat: Chat | undefined;
afterEach(async () => {
  await chat?.stop();
  chat = undefined;
});
describe('replication in the console chat', () => {
  it('refuses a replicate to its own node, creates one once on-call approves, runs it and lists it', async () => {
    const c = await startChat();
    chat = c;
    c.type('/pve replicate files01 node03');
    await c.printed(/files01 \(qemu\/103\) lives on node03: replication copies its disks to another node/);
    c.type('/pve replicate files01 node02 --schedule */30');
    await c.printed(/replicate files01 \(qemu\/103\) node03 → node02, schedule \*\/30/);
    await c.printed(/\[Approve\] → type `approve (\w+)`/);
    expect(c.sim.cluster.replication.jobs.has('103-1')).toBe(false);
    c.type('/as dave');
    c.type('approve');
    await c.printed(/Replication job 103-1 created: files01 \(qemu\/103\) node03 → node02, schedule \*\/30/);
    expect(c.sim.cluster.replication.get('103-1')).toMatchObject({ target: 'node02', schedule: '*/30' });

    // Running an existing job now needs no approval.
    c.type('/pve replication run 103-0');
    await c.printed(/Replication 103-0 files01 \(103\) node03 → node01 synced in [\d.]+ s/);
    c.type('/pve replication');
    await c.printed(/2 replication jobs, none failing/);
    expect(c.output()).toMatch(/103-1 · files01 \(103\) node03 → node02 · schedule \*\/30 · /);
  }, 60_000);

  it("reports a failing run with pvesr's error", async () => {
    const c = await startChat();
    chat = c;
    c.sim.cluster.replication.failRuns(
      '103-0',
      'cannot receive incremental stream: destination tank/vm-103-disk-0 has been modified',
    );
    c.type('/pve replication run 103-0');
    await c.printed(/failed \(1 failure\): cannot receive incremental stream/);
    c.type('/pve replication');
    await c.printed(/1 replication job, 1 failing/);
    expect(c.output()).toContain('FAILED 1×: cannot receive incremental stream');
  });
});
