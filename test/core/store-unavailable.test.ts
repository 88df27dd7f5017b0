// Honest when it cannot accept: with the job store (Redis) down, a command or a click is answered
// at once, to the person alone, with "not accepted, nothing will run", and nothing is posted in
// public. Real classes on a connection that fails fast (enableOfflineQueue off) to a redis-server
// this test stops.
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { ApprovalStore } from '../../src/core/approvals/approval-store.js';
import { AuditLog } from '../../src/core/audit/audit-log.js';
import type { Card } from '../../src/core/message.js';
import { RequestLedger } from '../../src/core/request-ledger.js';
import { JobQueue } from '../../src/jobs/job-queue.js';
import { OutboxWriter } from '../../src/jobs/outbox/outbox-writer.js';
import { createMetrics } from '../../src/metrics.js';
import { RedisServer } from '../faults/helpers/redis-server.js';
import { alice, bob, type CoreHarness, PLATFORM, startCoreHarness } from './helpers/core-harness.js';

const NOT_ACCEPTED: Card = {
  title: 'Not accepted: the job store (Redis) is not answering',
  status: 'failed',
  text: 'Nothing will run; try again when it is back.',
};

let harness: CoreHarness | undefined;
let server: RedisServer | undefined;
let down: Redis | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
  down?.disconnect();
  down = undefined;
  await server?.stop();
  server = undefined;
});

/** The queue, approvals, audit and request ledger on a Redis that has just stopped. */
async function storesOnAStoppedRedis() {
  const { stores, kill } = await storesOnAPrivateRedis();
  await kill();
  return stores;
}

/** The same stores on a redis-server of their own, and how to kill it under them. */
async function storesOnAPrivateRedis() {
  server = await RedisServer.start();
  const redis = new Redis(server.url, { enableOfflineQueue: false, maxRetriesPerRequest: null });
  down = redis;
  redis.on('error', () => undefined);
  await new Promise((resolve) => redis.once('ready', resolve));
  const prefix = 'test-store-down';
  const queue = new JobQueue({ redis, prefix, outbox: new OutboxWriter(redis, { prefix }) });
  // BullMQ sets its connection up on first use: done while Redis still answers.
  await queue.counts();
  const stores = {
    queue,
    approvals: new ApprovalStore(redis, { prefix }),
    audit: new AuditLog(redis, { prefix }),
    requests: new RequestLedger(redis, { prefix }),
  };
  const kill = async () => {
    const closed = new Promise((resolve) => redis.once('close', resolve));
    await server!.kill();
    await closed;
  };
  return { stores, kill };
}

describe('with the job store down', () => {
  it('a platform command is not accepted, said privately, counted, and never echoed in public', async () => {
    const stores = await storesOnAStoppedRedis();
    const metrics = createMetrics({ defaultMetrics: false });
    const h = await startCoreHarness({ core: { ...stores, metrics } });
    harness = h;
    await h.say('stop TestVM', { requestId: 'slack:trigger:1' });
    await h.say('status', { requestId: 'slack:trigger:2' });
    expect(h.opened).toEqual([]);
    expect(h.sent.map((m) => [m.ephemeralTo, m.card])).toEqual([
      [alice, NOT_ACCEPTED],
      [alice, NOT_ACCEPTED],
    ]);
    // Counted apart from bugs: an operator alerts on `unavailable` differently from `error`.
    const counted = (await metrics.registry.getSingleMetricAsString('pve_chatops_commands_total'))
      .split('\n')
      .filter((line) => line.includes('outcome="unavailable"') || line.includes('outcome="error"'));
    expect(counted).toEqual([
      'pve_chatops_commands_total{command="stop",outcome="unavailable"} 1',
      'pve_chatops_commands_total{command="status",outcome="unavailable"} 1',
    ]);
  });

  it('a command whose job or approval cannot be written is not accepted (no ledger: the console)', async () => {
    const { queue, approvals, audit } = await storesOnAStoppedRedis();
    const h = await startCoreHarness({
      requestThreads: 'absent',
      ledger: false,
      core: { queue, approvals, audit },
    });
    harness = h;
    await h.say('stop TestVM');
    await h.say('migrate TestVM node03');
    expect(h.sent.map((m) => [m.ephemeralTo, m.card])).toEqual([
      [alice, NOT_ACCEPTED],
      [alice, NOT_ACCEPTED],
    ]);
  });

  it('an Approve press is not accepted, said to the person who pressed', async () => {
    const stores = await storesOnAStoppedRedis();
    const h = await startCoreHarness({ core: stores });
    harness = h;
    const thread = { platform: PLATFORM, channel: 'C1', thread: 'R1' };
    await h.core.press({
      action: 'approve',
      value: 'a1b2c3',
      user: bob,
      platform: PLATFORM,
      channel: 'console:terminal',
      thread,
      requestId: 'slack:trigger:3',
    });
    expect(h.sent).toEqual([
      {
        thread,
        ephemeralTo: bob,
        card: {
          title: 'Not accepted: the job store (Redis) is not answering',
          status: 'failed',
          text: 'Your click changed nothing and nothing will run; press again when it is back.',
        },
      },
    ]);
  });

  it('a command whose store fails after its public record is also told in that thread', async () => {
    const { stores, kill } = await storesOnAPrivateRedis();
    const h = await startCoreHarness({
      core: stores,
      // The request message is posted, and Redis dies right after it.
      requestThreads: async (event) => {
        await kill();
        return { ...event.thread, thread: 'R1' };
      },
    });
    harness = h;
    await h.say('stop TestVM', { requestId: 'slack:trigger:late-failure' });
    expect(h.sent.map((m) => [m.ephemeralTo, m.thread, m.notify, m.card])).toEqual([
      [alice, { platform: PLATFORM, channel: 'C1' }, undefined, NOT_ACCEPTED],
      [undefined, { platform: PLATFORM, channel: 'C1', thread: 'R1' }, true, NOT_ACCEPTED],
    ]);
  });
});
