// The bot's intake connection against a private redis-server that is killed, restarted and
// frozen: a write fails at once when Redis is down and after the command timeout when it is
// frozen, never waits for a reconnect, and every such failure is one isStoreUnavailable knows. A
// revoke marker that could not be written is written once the connection is back.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { JobQueue } from '../../src/jobs/job-queue.js';
import { OutboxWriter } from '../../src/jobs/outbox/outbox-writer.js';
import { createIntakeRedis, redisReady } from '../../src/jobs/redis-connection.js';
import { RevokedSubmissions } from '../../src/jobs/revoked-submissions.js';
import { isStoreUnavailable, StoreUnavailableError } from '../../src/jobs/store-unavailable.js';
import { silentLogger } from '../../src/logger.js';
import { RedisServer } from './helpers/redis-server.js';
import { until } from './helpers/until.js';

const TIMEOUT_MS = 300;
const THREAD = { platform: 'test', channel: 'C1', thread: 'T1' };

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function setUp(): Promise<{ server: RedisServer; intake: Redis; queue: JobQueue; prefix: string }> {
  const server = await RedisServer.start();
  cleanups.push(async () => {
    server.resume();
    await server.stop();
  });
  const intake = createIntakeRedis(server.url, silentLogger, 'test-intake', TIMEOUT_MS);
  cleanups.push(async () => intake.disconnect());
  await redisReady(intake);
  const prefix = `intake-${randomUUID()}`;
  const queue = new JobQueue({ redis: intake, prefix, outbox: new OutboxWriter(intake, { prefix }) });
  cleanups.push(() => queue.close());
  await queue.queue.waitUntilReady();
  return { server, intake, queue, prefix };
}

function stop(queue: JobQueue) {
  return queue.enqueue({
    kind: 'stop',
    payload: { guest: { vmid: 100, type: 'qemu', node: 'node01', name: 'TestVM' } },
    thread: THREAD,
    requestedBy: 'alice',
  });
}

describe('the intake connection', () => {
  it('fails a write at once while Redis is down, and works again once it is back', async () => {
    const { server, intake, queue } = await setUp();
    await server.kill();
    await until(() => intake.status !== 'ready', 'the connection to notice');
    const error = await stop(queue).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(isStoreUnavailable(error)).toBe(true);
    // Plain commands too (approvals, audit, the request ledger use the same connection).
    const set = await intake.set('k', 'v').catch((e: unknown) => e);
    expect(isStoreUnavailable(set)).toBe(true);

    await server.restart();
    await redisReady(intake);
    // Nothing was kept for later: the queue holds no job, and a new command is accepted.
    expect(await queue.counts()).toMatchObject({ waiting: 0 });
    const { jobId } = await stop(queue);
    expect((await queue.queue.getJob(jobId))?.data.kind).toBe('stop');
  });

  it('gives up on a frozen Redis after the command timeout, and revokes the add it sent', async () => {
    const { server, intake, queue, prefix } = await setUp();
    server.pause();
    const error = await stop(queue).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).toContain('Command timed out');
    // Thawed: Redis runs the add it had received, and the revoke marker written behind it.
    server.resume();
    await until(() => intake.status === 'ready', 'the connection to answer');
    const [job] = await queue.queue.getWaiting();
    expect(job?.data.kind).toBe('stop');
    const revoked = new RevokedSubmissions(intake, prefix);
    await expect(revoked.isRevoked(job!.data.submission)).resolves.toBe(true);
  });

  it('writes a revoke marker it could not write once the connection is back', async () => {
    const { server, intake, prefix } = await setUp();
    const revoked = new RevokedSubmissions(intake, prefix);
    await server.kill();
    await until(() => intake.status !== 'ready', 'the connection to notice');
    revoked.revoke('submission-1');
    await until(() => revoked.pending === 1, 'the marker to wait for the connection');
    await server.restart();
    await until(() => revoked.pending === 0, 'the marker to be written');
    await expect(revoked.isRevoked('submission-1')).resolves.toBe(true);
  });
});
