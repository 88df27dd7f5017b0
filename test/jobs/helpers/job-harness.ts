// Real parts for job tests: the simulator over HTTPS, the real Redis (REDIS_URL or
// 127.0.0.1:6379) under a prefix of its own, a queue, workers, and every outbox event collected.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { sshRunnerForSimulator } from '../../../src/app/simulator-ssh.js';
import type { JobEvent, ResultEvent } from '../../../src/jobs/job-events.js';
import { JobQueue, type JobQueueOptions } from '../../../src/jobs/job-queue.js';
import { JobWorker, type JobWorkerOptions } from '../../../src/jobs/job-worker.js';
import { OutboxReader } from '../../../src/jobs/outbox/outbox-reader.js';
import { OutboxWriter } from '../../../src/jobs/outbox/outbox-writer.js';
import { createRedis } from '../../../src/jobs/redis-connection.js';
import { silentLogger } from '../../../src/logger.js';
import { ProxmoxClient } from '../../../src/proxmox/proxmox-client.js';
import type { SshRunner } from '../../../src/proxmox/ssh/ssh-runner.js';
import { type RunningSimulator, type SimCluster, startSimulator } from '../../../src/sim/simulator.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const THREAD = { platform: 'test', channel: 'C1', thread: 'T1' };

export interface JobHarness {
  sim: RunningSimulator<SimCluster>;
  prefix: string;
  redis: Redis;
  queue: JobQueue;
  events: JobEvent[];
  /** Every delivery with the thread it was for (a result may go to several threads). */
  deliveries: Array<{ thread: Record<string, unknown>; event: JobEvent }>;
  /** A worker in this process; closed by stop(). */
  worker(options?: Partial<JobWorkerOptions>): Promise<JobWorker>;
  /** Resolves with the job's result event, as the outbox delivered it. */
  result(jobId: string): Promise<ResultEvent>;
  /** Resolves with the first event matching. */
  event(match: (event: JobEvent) => boolean): Promise<JobEvent>;
  stop(): Promise<void>;
}

export async function startJobHarness(
  options: { speed?: number; queue?: Partial<JobQueueOptions> } = {},
): Promise<JobHarness> {
  const sim = await startSimulator({ port: 0, speed: options.speed ?? 100, authFailureDelayMs: 0 });
  const prefix = `test-${randomUUID()}`;
  const redis = createRedis(REDIS_URL, silentLogger, 'test');
  const outbox = new OutboxWriter(redis, { prefix });
  const queue = new JobQueue({ redis, prefix, outbox, backoffMs: 100, ...options.queue });
  const events: JobEvent[] = [];
  const deliveries: JobHarness['deliveries'] = [];
  const waiters: Array<{ match: (event: JobEvent) => boolean; resolve: (event: JobEvent) => void }> = [];
  const reader = new OutboxReader(redis, {
    platform: THREAD.platform,
    consumer: 'test',
    prefix,
    blockMs: 200,
  });
  reader.start(async (delivery) => {
    events.push(delivery.event);
    deliveries.push({ thread: delivery.thread, event: delivery.event });
    for (const waiter of [...waiters]) {
      if (waiter.match(delivery.event)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(delivery.event);
      }
    }
  });
  const workers: JobWorker[] = [];
  const clients: ProxmoxClient[] = [];
  const runners: SshRunner[] = [];
  const event = (match: (event: JobEvent) => boolean) => {
    const seen = events.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise<JobEvent>((resolve) => waiters.push({ match, resolve }));
  };
  return {
    sim,
    prefix,
    redis,
    queue,
    events,
    deliveries,
    async worker(overrides = {}) {
      const pve = new ProxmoxClient({
        hosts: sim.hosts,
        tokenId: sim.tokenId,
        tokenSecret: sim.tokenSecret,
        fingerprints: sim.fingerprints,
        logger: silentLogger,
      });
      clients.push(pve);
      const ssh = sshRunnerForSimulator(sim.ssh);
      runners.push(ssh);
      const worker = new JobWorker({
        redis,
        prefix,
        pve,
        ssh,
        pveUser: sim.tokenId,
        outbox,
        pollInterval: { initialMs: 20, maxMs: 100 },
        resumeDelayMs: 50,
        ...overrides,
      });
      workers.push(worker);
      await worker.start();
      return worker;
    },
    result: (jobId) => event((e) => e.type === 'result' && e.jobId === jobId) as Promise<ResultEvent>,
    event,
    async stop() {
      await Promise.all(workers.map((w) => w.close()));
      await reader.stop();
      await queue.queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.unlink(...keys);
      redis.disconnect();
      await Promise.all(clients.map((c) => c.close()));
      await Promise.all(runners.map((r) => r.close()));
      await sim.stop();
    },
  };
}

export function guestOf(sim: RunningSimulator<SimCluster>, vmid: number) {
  const guest = sim.cluster.guest(vmid);
  if (!guest) throw new Error(`no guest ${vmid}`);
  return { vmid, type: guest.type, node: guest.node, name: guest.name };
}
