// An Approve that Redis recorded but whose job it could not queue (the job store went away between
// the two writes): the approver is told "not accepted", and pressing Approve again once the store
// is back queues the job, once. After the request's expiry a press queues nothing.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { JobQueue, jobIdForApproval } from '../../src/jobs/job-queue.js';
import { OutboxWriter } from '../../src/jobs/outbox/outbox-writer.js';
import { createIntakeRedis, redisReady } from '../../src/jobs/redis-connection.js';
import { silentLogger } from '../../src/logger.js';
import { RedisServer } from '../faults/helpers/redis-server.js';
import { approvalIdOf, bob, type CoreHarness, PLATFORM, startCoreHarness } from './helpers/core-harness.js';

let harness: CoreHarness | undefined;
let server: RedisServer | undefined;
let queueRedis: Redis | undefined;
let queue: JobQueue | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
  await queue?.close().catch(() => undefined);
  queue = undefined;
  queueRedis?.disconnect();
  queueRedis = undefined;
  await server?.stop();
  server = undefined;
});

/** The job queue alone on a redis-server of its own, written through the bot's fail-fast connection. */
async function queueOnItsOwnRedis(): Promise<JobQueue> {
  server = await RedisServer.start();
  queueRedis = createIntakeRedis(server.url, silentLogger, 'test-intake', 1_000);
  await redisReady(queueRedis);
  const prefix = `test-approved-${randomUUID()}`;
  queue = new JobQueue({ redis: queueRedis, prefix, outbox: new OutboxWriter(queueRedis, { prefix }) });
  // BullMQ sets its connection up on first use: done while Redis answers.
  await queue.counts();
  return queue;
}

describe('an approval recorded without its job', () => {
  it('is queued by the next Approve once the store is back, and only once', async () => {
    const jobs = await queueOnItsOwnRedis();
    let now = Date.now();
    const h = await startCoreHarness({ core: { queue: jobs, clock: () => now } });
    harness = h;
    await h.say('migrate TestVM node03');
    const approvalId = approvalIdOf(await h.message((m) => m.key?.startsWith('approval:') === true));
    const press = (requestId: string) =>
      h.core.press({
        action: 'approve',
        value: approvalId,
        user: bob,
        platform: PLATFORM,
        channel: 'console:terminal',
        thread:
          h.opened.length > 0 ? { platform: PLATFORM, channel: 'C1', thread: 'R1' } : { platform: PLATFORM },
        requestId,
      });

    const closed = new Promise((resolve) => queueRedis!.once('close', resolve));
    await server!.kill();
    await closed;
    await press('test:press:1');
    expect((await h.approvals.get(approvalId))?.status).toBe('approved');
    expect(h.sent.at(-1)).toMatchObject({ ephemeralTo: bob, card: { title: /^Not accepted/ } });

    await server!.restart();
    await redisReady(queueRedis!);
    await press('test:press:2');
    const job = await jobs.get(jobIdForApproval(approvalId));
    expect(job?.kind).toBe('migrate');
    const card = h.sent.filter((m) => m.key === `approval:${approvalId}`).at(-1);
    expect(JSON.stringify(card?.card)).toContain(job!.jobId);

    // A third press finds the job there: the request is closed, nothing is queued again.
    await press('test:press:3');
    expect(h.sent.at(-1)).toMatchObject({
      ephemeralTo: bob,
      card: { title: 'This request is already closed' },
    });
    expect(await jobs.queue.getJobCountByTypes('waiting', 'active', 'delayed', 'completed', 'failed')).toBe(
      1,
    );

    // Past the request's expiry, an approved request without its job stays without one.
    await jobs.queue.obliterate({ force: true });
    now += 24 * 3600_000;
    await press('test:press:4');
    expect(await jobs.get(jobIdForApproval(approvalId))).toBeUndefined();
  });
});
