// The job engine's speed on the real Redis: how long an enqueued job waits for its processor to
// start (with an idle worker), and how many status jobs one worker process finishes per second.
import { randomUUID } from 'node:crypto';
import type { JobKind } from '../src/jobs/job-kind.js';
import { createJobKindRegistry } from '../src/jobs/job-kind.js';
import { JobQueue } from '../src/jobs/job-queue.js';
import { JobWorker } from '../src/jobs/job-worker.js';
import { jobKinds } from '../src/jobs/kinds/index.js';
import { OutboxWriter } from '../src/jobs/outbox/outbox-writer.js';
import { createRedis } from '../src/jobs/redis-connection.js';
import { silentLogger } from '../src/logger.js';
import { ProxmoxClient } from '../src/proxmox/proxmox-client.js';
import { startSimulator } from '../src/sim/simulator.js';
import { type BenchRow, percentile } from './report.js';

const LATENCY_SAMPLES = 200;
const THROUGHPUT_JOBS = 2_000;
const THREAD = { platform: 'bench' };

export async function benchJobThroughput(): Promise<BenchRow[]> {
  const sim = await startSimulator({ port: 0, authFailureDelayMs: 0, logger: silentLogger });
  const prefix = `bench-${randomUUID()}`;
  const redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', silentLogger, 'bench');
  const outbox = new OutboxWriter(redis, { prefix });
  // The real status kind, with a probe that notes when its processor starts.
  const started = new Map<string, number>();
  const finished = new Map<string, () => void>();
  const status = jobKinds.get('status')!;
  const probed: JobKind = {
    ...status,
    async run(ctx) {
      started.set(ctx.jobId, performance.timeOrigin + performance.now());
      return status.run(ctx);
    },
  };
  const kinds = createJobKindRegistry([probed]);
  const queue = new JobQueue({ redis, prefix, outbox, kinds });
  const pve = new ProxmoxClient({
    hosts: sim.hosts,
    tokenId: sim.tokenId,
    tokenSecret: sim.tokenSecret,
    fingerprints: sim.fingerprints,
    connectionsPerHost: 32,
    logger: silentLogger,
  });
  const worker = new JobWorker({ redis, prefix, pve, pveUser: sim.tokenId, outbox, kinds, concurrency: 32 });
  await worker.start();
  // The outbox tells when each job ended; read it directly to keep the bench's own cost low.
  const stream = `${prefix}:outbox:bench`;
  let lastId = '$';
  let reading = true;
  const reader = redis.duplicate();
  const readLoop = (async () => {
    while (reading) {
      const reply = (await reader.xread('COUNT', 500, 'BLOCK', 200, 'STREAMS', stream, lastId)) as
        | [string, [string, string[]][]][]
        | null;
      for (const [, entries] of reply ?? []) {
        for (const [id, fields] of entries) {
          lastId = id;
          const event = JSON.parse(fields[fields.indexOf('event') + 1] ?? '{}') as {
            type: string;
            jobId: string;
          };
          if (event.type === 'result') finished.get(event.jobId)?.();
        }
      }
    }
  })();
  const done = (jobId: string) =>
    new Promise<void>((resolve) => {
      finished.set(jobId, resolve);
    });

  try {
    // Latency: one job at a time, so each finds the worker idle and waiting.
    const latencies: number[] = [];
    for (let i = 0; i < LATENCY_SAMPLES; i += 1) {
      const jobId = `latency-${i}`;
      const end = done(jobId);
      const enqueuedAt = performance.timeOrigin + performance.now();
      await queue.enqueue({ kind: 'status', payload: {}, thread: THREAD, requestedBy: 'bench', jobId });
      await end;
      latencies.push((started.get(jobId) ?? Number.NaN) - enqueuedAt);
    }
    latencies.sort((a, b) => a - b);

    // Throughput: a burst of status jobs through one worker process.
    const ends: Promise<void>[] = [];
    const burstStart = performance.now();
    for (let i = 0; i < THROUGHPUT_JOBS; i += 1) {
      const jobId = `burst-${i}`;
      ends.push(done(jobId));
      void queue.enqueue({ kind: 'status', payload: {}, thread: THREAD, requestedBy: 'bench', jobId });
    }
    await Promise.all(ends);
    const perSecond = THROUGHPUT_JOBS / ((performance.now() - burstStart) / 1000);

    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    return [
      {
        what: 'enqueue → processor start (idle worker)',
        measured: `p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms`,
        target: '— (part of command → first PVE call p50 ≤ 20 ms)',
        ok: p50 <= 20,
        values: { p50Ms: p50, p99Ms: p99 },
      },
      {
        what: `status jobs through one worker (${THROUGHPUT_JOBS} jobs, concurrency 32)`,
        measured: `${perSecond.toFixed(0)} jobs/s`,
        target: '≥ 200 jobs/s',
        ok: perSecond >= 200,
        design: 'throughput',
        summary: `${perSecond.toFixed(0)} jobs/s (${THROUGHPUT_JOBS} status jobs, concurrency 32, real Redis and simulator)`,
        values: { jobsPerSecond: perSecond },
      },
    ];
  } finally {
    reading = false;
    await readLoop;
    reader.disconnect();
    await worker.close();
    await queue.queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.unlink(...keys);
    redis.disconnect();
    await pve.close();
    await sim.stop();
  }
}
