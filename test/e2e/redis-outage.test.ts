// Redis away, through the real compiled processes (bin/pve-chatops, as the README runs them) with
// the console chat on their standard input, a private redis-server the test kills, restarts,
// freezes (SIGSTOP) and thaws, and the simulator as the cluster:
// - with Redis down, a command is answered at once "not accepted", and nothing runs when it is
//   back;
// - with Redis frozen, a command gets the same answer after the intake's timeout, and when Redis
//   thaws and executes the submit after all, the request is dropped by the intake (revoked);
// - a job that could not start within JOB_START_DEADLINE_SECONDS is reported, not run;
// - SIGTERM while Redis is down or frozen ends `all`, `bot` and `worker` within the bound.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningSimulator, type SimCluster, startSimulator } from '../../src/sim/simulator.js';
import { RedisServer } from '../faults/helpers/redis-server.js';
import { type CompiledCli, startCompiledCli } from './helpers/compiled-cli.js';

// Everyone may run everything at once: the test is about Redis, not approvals.
const POLICY = `commands:
  '*':
    allow: [everyone]
    approval: none
`;
const DEADLINE_S = 5;
/** What a process that ended its stop by itself logs: a clean stop, or the bound's cut. */
const STOPPED_ITSELF = /pve-chatops stopped|worker stopped|shutdown did not finish in time/;

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function startWorld(): Promise<{
  server: RedisServer;
  sim: RunningSimulator<SimCluster>;
  env: Record<string, string>;
  prefix: string;
}> {
  const server = await RedisServer.start();
  cleanups.push(async () => {
    server.resume(); // a frozen server ignores SIGKILL until it runs again
    await server.stop();
  });
  const sim = await startSimulator({ port: 0, speed: 50, authFailureDelayMs: 0 });
  cleanups.push(() => sim.stop());
  const policyFile = join(mkdtempSync(join(tmpdir(), 'pve-chatops-policy-')), 'policy.yml');
  writeFileSync(policyFile, POLICY);
  const prefix = `e2e-redis-${randomUUID()}`;
  const env = {
    ...sim.env(),
    REDIS_URL: server.url,
    REDIS_PREFIX: prefix,
    POLICY_FILE: policyFile,
    DIGEST_CRON: 'off',
    PORT: '0',
    JOB_START_DEADLINE_SECONDS: String(DEADLINE_S),
  };
  return { server, sim, env, prefix };
}

function start(args: string[], env: Record<string, string>): CompiledCli {
  const cli = startCompiledCli(args, env);
  cleanups.push(async () => {
    if (cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill('SIGKILL');
  });
  return cli;
}

function type(cli: CompiledCli, line: string): void {
  cli.child.stdin?.write(`${line}\n`);
}

/** The number of lines matching `pattern` so far. */
function count(cli: CompiledCli, pattern: RegExp): number {
  return cli
    .output()
    .split('\n')
    .filter((line) => pattern.test(line)).length;
}

/**
 * SIGTERM, and the exit code: a number when the process ended by itself (its handler ran), null
 * had the signal killed it. A process that never ends fails the test by its timeout; the bound
 * itself (10 s) is not timed here, which a loaded machine would make flaky.
 */
async function stopByItself(cli: CompiledCli): Promise<number | null> {
  return cli.stop();
}

function powerTasks(sim: RunningSimulator<SimCluster>, type: string, vmid: number) {
  return sim.cluster.tasks.all().filter((t) => t.record.type === type && t.record.id === String(vmid));
}

/** BullMQ job hashes in Redis whose kind (job name) is `kind`. */
async function storedJobs(url: string, prefix: string, kind: string): Promise<string[]> {
  const redis = new Redis(url, { lazyConnect: true });
  await redis.connect();
  try {
    const found: string[] = [];
    for (const key of await redis.keys(`${prefix}:jobs:*`)) {
      if ((await redis.type(key)) !== 'hash') continue;
      if ((await redis.hget(key, 'name')) === kind) found.push(key);
    }
    return found;
  } finally {
    redis.disconnect();
  }
}

const NOT_ACCEPTED = /Not accepted: the job store \(Redis\) is not answering/;
const INTAKE_BACK = /"connection":"all-intake".*Redis connection ready again/;

describe('pve-chatops all with Redis down, then frozen', () => {
  it('answers "not accepted" at once, runs nothing late, drops a revoked request, and stops on SIGTERM', async () => {
    const { server, sim, env, prefix } = await startWorld();
    const all = start(['all', '--console', '--user', 'alice'], env);
    await all.waitFor(/pve-chatops ready/, 'the process to be ready');

    // Down: the answer comes while Redis is still down, so it did not wait for it.
    await server.kill();
    type(all, '/pve stop TestVM');
    await all.waitFor(NOT_ACCEPTED, 'the command to be refused');
    expect(all.output()).toContain('Nothing will run; try again when it is back.');

    // Back: a read runs (the process works again), and the refused stop never does.
    await server.restart();
    await all.waitFor(INTAKE_BACK, 'the intake connection to be back');
    type(all, '/pve status TestVM');
    await all.waitFor(/✅ .*TestVM/, 'the status result');
    expect(powerTasks(sim, 'qmstop', 100)).toEqual([]);
    expect(await storedJobs(server.url, prefix, 'stop')).toEqual([]);
    expect(sim.cluster.guest(100)?.running).toBe(true);

    // Frozen: the add is sent and waits in Redis's socket; the bot gives up after its timeout.
    server.pause();
    type(all, '/pve stop TestVM');
    await all.waitFor(/Command timed out.*command not accepted/, 'the second command to be refused');
    // Thawed: Redis executes the submit after all, and the revoke marker behind it. The intake
    // drops the request: no job, nothing run.
    server.resume();
    await all.waitFor(
      /a request answered \\"not accepted\\" reached the intake after all; not run/,
      'the revoked request to be dropped',
    );
    expect(count(all, NOT_ACCEPTED)).toBe(2);
    expect(await storedJobs(server.url, prefix, 'stop')).toEqual([]);
    expect(powerTasks(sim, 'qmstop', 100)).toEqual([]);
    expect(sim.cluster.guest(100)?.running).toBe(true);

    // SIGTERM with Redis down: the process ends, within the bound.
    await server.kill();
    expect(await stopByItself(all)).not.toBeNull();
    expect(all.output()).toMatch(/"signal":"SIGTERM".*pve-chatops stopping/);
    expect(all.output()).toMatch(STOPPED_ITSELF);
  }, 90_000);
});

describe('pve-chatops bot and worker, a job that could not start in time', () => {
  it('reports a stop the worker could not start within the deadline and runs nothing; both stop on SIGTERM with Redis frozen', async () => {
    const { server, sim, env } = await startWorld();
    const bot = start(['bot', '--console', '--user', 'alice'], env);
    await bot.waitFor(/pve-chatops ready/, 'the bot to be ready');

    // Accepted while no worker runs (they were away).
    type(bot, '/pve stop TestVM');
    await bot.waitFor(/▶ stop · job \S+: queued/, 'the stop to be queued');
    const queuedAt = Date.now();
    // The condition itself is time: the deadline must have passed before any worker exists.
    await new Promise((resolve) => setTimeout(resolve, queuedAt + DEADLINE_S * 1000 + 200 - Date.now()));

    const worker = start(['worker'], env);
    await worker.waitFor(/worker ready/, 'the worker to be ready');
    await bot.waitFor(
      new RegExp(
        `stop not started: requested at .* UTC, could not start within ${DEADLINE_S} s; nothing ran`,
      ),
      'the late stop to be reported',
    );
    expect(powerTasks(sim, 'qmstop', 100)).toEqual([]);
    expect(sim.cluster.guest(100)?.running).toBe(true);

    // Redis frozen (its connections open, nothing answered): both processes still stop in time.
    server.pause();
    const [botCode, workerCode] = await Promise.all([stopByItself(bot), stopByItself(worker)]);
    expect(botCode).not.toBeNull();
    expect(workerCode).not.toBeNull();
    expect(bot.output()).toMatch(/pve-chatops stopping/);
    expect(worker.output()).toMatch(/worker stopping/);
    expect(bot.output()).toMatch(STOPPED_ITSELF);
    expect(worker.output()).toMatch(STOPPED_ITSELF);
  }, 90_000);
});
