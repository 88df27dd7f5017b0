// Reliability: Redis killed and restarted mid-run, with persistence on, loses no accepted command.
//
// The figure: of the commands typed into the console chat (the demo's wiring: the real core,
// queue, outbox and an in-process worker, on a PRIVATE redis-server with `appendonly yes` and
// `appendfsync always`), "accepted" is how many the core acknowledged (its request card naming
// the job, posted once the job is in Redis), "results" how many results reached the thread.
// Half of the commands are accepted and their PVE tasks started when redis-server gets SIGKILL;
// the other half are typed while it is down. It stays down until the PVE tasks that were running
// have finished (the worker's 1 s BullMQ locks expire meanwhile), then starts again on the same
// port and directory from its append-only file. Every accepted command must end with a result
// and no PVE task may start twice ("duplicate PVE tasks", printed, is 0).
//
// A second test holds a bug this suite found (fixed): a job whose lock ran out while Redis was
// down ran twice at once after the restart and reported its result twice (see there).
//
// This wiring gives the core no intake connection, so commands typed while Redis is down wait for
// it. `pve-chatops all` and `bot` give it one: there such commands are answered "not accepted" at
// once and never run (test/e2e/redis-outage.test.ts).
import { PassThrough } from 'node:stream';
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { sshRunnerForSimulator } from '../../src/app/simulator-ssh.js';
import { type RunningChatOps, startChatOps } from '../../src/app/start-chatops.js';
import type { ChatAdapter } from '../../src/bots/adapter.js';
import { ConsoleAdapter } from '../../src/bots/console/console-adapter.js';
import type { CoreApi } from '../../src/core/core-api.js';
import type { OutgoingMessage } from '../../src/core/message.js';
import { parsePolicy } from '../../src/core/policy/index.js';
import { createRedis } from '../../src/jobs/redis-connection.js';
import { silentLogger } from '../../src/logger.js';
import { ProxmoxClient } from '../../src/proxmox/proxmox-client.js';
import { startSimulator } from '../../src/sim/simulator.js';
import { RedisServer } from './helpers/redis-server.js';
import { until } from './helpers/until.js';

// Everyone may run everything at once: the test is about Redis, not approvals.
const POLICY = `
commands:
  '*':
    allow: [everyone]
    approval: none
`;
const TOKEN = 'chatops@pve!bot';
const PREFIX = 'faults';

// Each command acts on a guest of its own (a job refuses a guest another job holds), and each
// starts one PVE task of its own: "type:id" (the new VM's id is not known in advance).
const BEFORE_THE_KILL = [
  { line: '/pve migrate TestVM node02', task: 'qmigrate:100' },
  { line: '/pve clone debian12-tmpl web02', task: 'qmclone:9000' },
  { line: '/pve migrate ct-dns01 node01', task: 'vzmigrate:200' },
  { line: '/pve migrate web01 node03', task: 'hamigrate:101' },
];
const WHILE_DOWN = [
  { line: '/pve start files01', task: 'qmstart:103' },
  { line: '/pve start ct-proxy01', task: 'vzstart:201' },
  { line: '/pve shutdown db01', task: 'qmshutdown:102' },
  { line: '/pve create web03 --node node01', task: 'qmcreate:' },
];

/** The console adapter, with every message the core sent it kept for the checks. */
class RecordingConsole implements ChatAdapter {
  readonly platform = 'console';
  readonly inner: ConsoleAdapter;
  /** Jobs whose request card (the acknowledgement) was posted. */
  readonly accepted: string[] = [];
  /** Every result posted, in order (a job twice would be a duplicate). */
  readonly results: Array<{ jobId: string; ok: boolean; title: string }> = [];

  constructor(inner: ConsoleAdapter) {
    this.inner = inner;
  }

  start(core: CoreApi): Promise<void> {
    return this.inner.start(core);
  }

  stop(): Promise<void> {
    return this.inner.stop();
  }

  async send(message: OutgoingMessage): Promise<void> {
    const jobId = /^job (\S+)/.exec(message.card.footer ?? '')?.[1];
    if (jobId && message.describesRequest) this.accepted.push(jobId);
    if (jobId && message.notify)
      this.results.push({ jobId, ok: message.card.status === 'succeeded', title: message.card.title });
    await this.inner.send(message);
  }
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

/**
 * The demo's wiring (core, queue, outbox readers, an in-process worker with a 1 s lock, the
 * console adapter) on a private redis-server and a fresh simulator `speed` times faster than real
 * time. `watching` counts the job runs following a PVE task right now, `watched` those that saw
 * their task end: each of those goes on to report a result.
 */
async function startWiring(speed: number) {
  const server = await RedisServer.start();
  cleanups.push(() => server.stop());
  const sim = await startSimulator({ port: 0, speed, authFailureDelayMs: 0 });
  cleanups.push(() => sim.stop());
  const redis = createRedis(server.url, silentLogger, 'test');
  cleanups.push(async () => redis.disconnect());
  const pve = new ProxmoxClient({
    hosts: sim.hosts,
    tokenId: sim.tokenId,
    tokenSecret: sim.tokenSecret,
    fingerprints: sim.fingerprints,
  });
  cleanups.push(() => pve.close());
  const runs = { watching: 0, watched: 0 };
  const waitForTask = pve.waitForTask.bind(pve);
  pve.waitForTask = (upid, options) => {
    runs.watching++;
    return waitForTask(upid, options)
      .then((result) => {
        runs.watched++;
        return result;
      })
      .finally(() => runs.watching--);
  };
  const ssh = sshRunnerForSimulator(sim.ssh);
  cleanups.push(() => ssh.close());
  const input = new PassThrough();
  const output = new PassThrough();
  output.resume();
  const chat = new RecordingConsole(new ConsoleAdapter({ input, output, user: 'alice' }));
  const app: RunningChatOps = await startChatOps({
    redis,
    prefix: PREFIX,
    pve,
    ssh,
    pveUser: sim.tokenId,
    policy: parsePolicy(POLICY, 'test policy'),
    adapters: [chat],
    logger: silentLogger,
    // A short lock: the jobs' locks run out while Redis is down.
    worker: { concurrency: 8, lockMs: 1_000 },
    consumer: 'test',
  });
  cleanups.push(async () => {
    input.end();
    await app.stop();
  });
  // JobQueue's BullMQ Queue has no 'error' listener, so BullMQ prints every failed reconnect
  // to stderr while Redis is down; counted here instead.
  const queueErrors = { count: 0 };
  app.queue.queue.on('error', () => queueErrors.count++);
  const ours = () => sim.cluster.tasks.all().filter((t) => t.record.user === TOKEN);
  const type = (line: string) => input.write(`${line}\n`);
  return { server, sim, redis, chat, app, type, ours, runs, queueErrors };
}

/** Result entries in the outbox stream, by job (two for one job: the job reported twice). */
async function resultEntries(redis: Redis): Promise<Map<string, string[]>> {
  const byJob = new Map<string, string[]>();
  for (const [id, fields] of await redis.xrange(`${PREFIX}:outbox:console`, '-', '+')) {
    const event = JSON.parse(fields[fields.indexOf('event') + 1] ?? '{}') as {
      type?: string;
      jobId?: string;
    };
    if (event.type === 'result' && event.jobId)
      byJob.set(event.jobId, [...(byJob.get(event.jobId) ?? []), id]);
  }
  return byJob;
}

describe('Redis restarted mid-run with persistence on', () => {
  it('loses no accepted command: each ends with a result, no PVE task starts twice', async () => {
    const { server, sim, redis, chat, app, type, ours, runs, queueErrors } = await startWiring(10);

    for (const { line } of BEFORE_THE_KILL) type(line);
    await until(() => chat.accepted.length === BEFORE_THE_KILL.length, 'the first commands to be accepted');
    // Every one of them has its PVE task (its POST is behind it), and some still run.
    await until(
      () => ours().length === BEFORE_THE_KILL.length && ours().filter((t) => t.running).length >= 2,
      'their PVE tasks to be started, two still running',
    );
    const acceptedBeforeKill = chat.accepted.length;
    const resultsBeforeKill = chat.results.length;
    const runningAtKill = ours().filter((t) => t.running);

    await server.kill();
    const killedAt = performance.now();
    for (const { line } of WHILE_DOWN) type(line);
    // Down until PVE finished what was running: those results must come from after the restart.
    await until(() => runningAtKill.every((t) => !t.running), 'the running PVE tasks to finish');
    expect(chat.accepted.length).toBe(acceptedBeforeKill); // nothing gets through while it is down
    await server.restart();
    const downMs = Math.round(performance.now() - killedAt);
    expect(server.log).toMatch(/DB loaded from append only file/);

    const typed = BEFORE_THE_KILL.length + WHILE_DOWN.length;
    await until(() => chat.accepted.length === typed, 'every command to be accepted');
    await until(
      () =>
        chat.accepted.every((jobId) => chat.results.some((r) => r.jobId === jobId)) && runs.watching === 0,
      'a result for every accepted command, and no job run still following a PVE task',
    );

    const duplicateTasks: string[] = [];
    const byTask = new Map<string, number>();
    for (const task of ours()) {
      const key = `${task.record.type}:${task.record.type === 'qmcreate' ? '' : task.record.id}`;
      byTask.set(key, (byTask.get(key) ?? 0) + 1);
    }
    for (const [key, count] of byTask) if (count > 1) duplicateTasks.push(`${count}× ${key}`);
    const haMoves = sim.cluster.tasks
      .all()
      .filter((t) => t.record.type === 'qmigrate' && t.record.id === '101').length;
    if (haMoves > 1) duplicateTasks.push(`${haMoves}× the HA stack's qmigrate of web01`);
    const posts = new Map<string, number>();
    for (const r of sim.requests.filter((q) => q.method === 'POST'))
      posts.set(r.path, (posts.get(r.path) ?? 0) + 1);
    for (const [path, count] of posts) if (count > 1) duplicateTasks.push(`${count}× POST ${path}`);
    // Reported, not asserted here: the skipped test below pins this bug down.
    const reportedTwice: string[] = [];
    for (const [jobId, entries] of await resultEntries(redis)) {
      if (entries.length < 2) continue;
      const job = await app.queue.queue.getJob(jobId);
      reportedTwice.push(
        `job ${jobId} (${job?.data.kind}): ${entries.length} results [${entries.join(', ')}], ` +
          `stalled ${job?.stalledCounter}×, started ${job?.attemptsStarted}×`,
      );
    }

    console.log(
      `Redis restart: ${typed} commands typed, ${chat.accepted.length} accepted (${acceptedBeforeKill} before the kill), ` +
        `${new Set(chat.results.map((r) => r.jobId)).size} with a result (${resultsBeforeKill} before the kill), ` +
        `${runningAtKill.length} PVE tasks running at the kill, Redis down ${downMs} ms (worker lock 1000 ms), ` +
        `${duplicateTasks.length} duplicate PVE tasks, ${reportedTwice.length} jobs reported twice` +
        `${reportedTwice.length > 0 ? ` (${reportedTwice.join('; ')})` : ''}, ${queueErrors.count} queue connection errors`,
    );
    expect(duplicateTasks).toEqual([]);
    expect(reportedTwice).toEqual([]);
    expect(new Set(chat.results.map((r) => r.jobId))).toEqual(new Set(chat.accepted));
    expect(chat.results.filter((r) => !r.ok)).toEqual([]);
    expect([...byTask.keys()].sort()).toEqual([...BEFORE_THE_KILL, ...WHILE_DOWN].map((c) => c.task).sort());

    // And the cluster is where the commands said.
    const guest = (vmid: number) => sim.cluster.guest(vmid);
    expect(guest(100)?.node).toBe('node02');
    expect(guest(200)?.node).toBe('node01');
    expect(guest(101)?.node).toBe('node03');
    expect([guest(103)?.running, guest(201)?.running, guest(102)?.running]).toEqual([true, true, false]);
    for (const name of ['web02', 'web03'])
      expect(sim.cluster.guests().filter((g) => g.name === name)).toHaveLength(1);
  });

  // Found by this suite, fixed in src/jobs/job-worker.ts: a job whose BullMQ lock ran out while
  // Redis was down ran twice at once after the restart (the stalled-job check re-queued it while
  // the first run still followed the PVE task: BullMQ 6 only emits 'lockRenewalFailed' and leaves
  // the processor running) and both runs reported. The worker now ends the slice of a job whose
  // lock it could not renew; the run that took the job over carries on alone.
  it('runs a job whose lock ran out while Redis was down once, and reports it once', async () => {
    // One migration of about 8 s, so that both runs are still following it after the restart.
    const { server, sim, redis, chat, app, type, ours, runs } = await startWiring(4);
    type('/pve migrate TestVM node02');
    await until(() => ours().some((t) => t.running && t.lines.length >= 6), 'the migration to be under way');
    const [task] = ours();
    await server.kill();
    // Down for ten more lines of the migration's log (about 2.5 s): well past the 1 s lock.
    const linesAtKill = task!.lines.length;
    await until(() => task!.lines.length >= linesAtKill + 10, 'the migration to move on while Redis is down');
    expect(task!.running).toBe(true);
    await server.restart();
    const [jobId] = chat.accepted;
    // Settled: the job is done in BullMQ, no run of it still follows the task, and every run that
    // saw the task end has reported.
    let completed = false;
    await until(() => {
      void app.queue.queue.getJobState(jobId!).then((state) => {
        completed = state === 'completed';
      });
      return completed && !task!.running && runs.watching === 0 && chat.results.length >= runs.watched;
    }, 'the job to be completed and every run of it to have reported');
    const job = await app.queue.queue.getJob(jobId!);
    console.log(
      `Redis down mid-migration: the job stalled ${job?.stalledCounter}×, started ${job?.attemptsStarted}×, ` +
        `${runs.watched} runs saw the task end, ${chat.results.length} results`,
    );
    expect(sim.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/migrate'))).toHaveLength(1);
    expect(ours()).toHaveLength(1);
    expect((await resultEntries(redis)).get(jobId!)).toHaveLength(1);
    expect(chat.results.map((r) => r.title)).toEqual([
      'TestVM (qemu/100) now runs on node02 (migrated live)',
    ]);
  });
});
