// The outbox against a real Redis: what a job publishes reaches a bot at least once, in order,
// even when a bot dies before acknowledging, and one unreadable entry cannot block the stream.
import { randomUUID } from 'node:crypto';
import { DiscordAPIError } from 'discord.js';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobEvent, ThreadRef } from '../../src/jobs/job-events.js';
import {
  type OutboxDelivery,
  OutboxReader,
  type OutboxReaderOptions,
} from '../../src/jobs/outbox/outbox-reader.js';
import { OutboxEntryInvalidError, OutboxWriter } from '../../src/jobs/outbox/outbox-writer.js';
import { isPermanentDeliveryError } from '../../src/jobs/outbox/permanent-delivery-error.js';
import type { Logger } from '../../src/logger.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Records deliveries; `take(n)` resolves once n have arrived, so tests wait on events, not time. */
class Inbox {
  readonly deliveries: OutboxDelivery[] = [];
  #waiters: { count: number; resolve: () => void }[] = [];

  readonly handler = async (delivery: OutboxDelivery): Promise<void> => {
    this.deliveries.push(delivery);
    this.#waiters = this.#waiters.filter((waiter) => {
      if (this.deliveries.length < waiter.count) return true;
      waiter.resolve();
      return false;
    });
  };

  async take(count: number): Promise<OutboxDelivery[]> {
    if (this.deliveries.length < count)
      await new Promise<void>((resolve) => this.#waiters.push({ count, resolve }));
    return this.deliveries.slice(0, count);
  }
}

/** A promise with its resolver outside, for handlers that must wait for the test. */
function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** A logger that keeps error lines, and resolves `next(pattern)` once one matches. */
function errorLog() {
  const lines: { context: Record<string, unknown>; message: string }[] = [];
  let waiters: { pattern: RegExp; resolve: (context: Record<string, unknown>) => void }[] = [];
  const logger: Logger = {
    debug() {},
    info() {},
    warn() {},
    error(context: Record<string, unknown>, message: string) {
      lines.push({ context, message });
      waiters = waiters.filter((waiter) => {
        if (!waiter.pattern.test(message)) return true;
        waiter.resolve(context);
        return false;
      });
    },
  } as Logger;
  const next = (pattern: RegExp) =>
    new Promise<Record<string, unknown>>((resolve) => waiters.push({ pattern, resolve }));
  return { logger, lines, next };
}

/** What discord.js throws for a refused request: an HTTP status and the platform's own code. */
const platformError = (status: number, code: number, message: string) =>
  Object.assign(new Error(message), { status, code });

const slackThread = (channel = 'C0123'): ThreadRef => ({ platform: 'slack', channel, threadTs: '1700.0001' });

const progress = (jobId: string, percent: number): JobEvent => ({
  type: 'progress',
  jobId,
  kind: 'migrate',
  phase: 'migrating',
  percent,
  logLines: [`migration status: ${percent}%`],
  at: 1_700_000_000_000 + percent,
});

const result: JobEvent = {
  type: 'result',
  jobId: 'job-1',
  kind: 'migrate',
  ok: false,
  summary: 'TestVM (qemu/100) could not move to node03',
  error: "can't lock file '/var/lock/qemu-server/lock-100.conf' - got timeout",
  code: 'PVE_LOCKED',
  details: { vmid: 100, nodes: { from: 'node01', to: 'node03' } },
  upid: 'UPID:node01:0000A1B2:00C0FFEE:65000000:qmigrate:100:root@pam:',
  logTail: ['TASK ERROR: migration aborted'],
  at: 1_700_000_000_000,
};

describe('the outbox', () => {
  let prefix: string;
  let redis: Redis;
  let readers: OutboxReader[];
  /** Handlers held open by a test; released before stopping, so a failed test cannot hang afterEach. */
  let holds: (() => void)[];

  const reader = (options: Partial<OutboxReaderOptions> = {}) => {
    const created = new OutboxReader(redis, { platform: 'slack', consumer: 'bot-1', prefix, ...options });
    readers.push(created);
    return created;
  };
  const pendingCount = async (platform = 'slack') =>
    ((await redis.xpending(`${prefix}:outbox:${platform}`, 'bots')) as [number])[0];

  /** Resolves with the Redis client id of the reader's blocking connection once it is blocked. */
  const blockedClientId = async (consumer = 'bot-1'): Promise<string> => {
    const name = `${prefix}:outbox:slack:${consumer}`;
    for (;;) {
      const line = String(await redis.client('LIST'))
        .split('\n')
        .find((l) => l.includes(` name=${name} `) && / flags=\w*b/.test(l) && l.includes('cmd=xreadgroup'));
      const id = line?.match(/^id=(\d+)/)?.[1];
      if (id) return id;
      await new Promise((resolve) => setImmediate(resolve));
    }
  };

  beforeEach(() => {
    prefix = `test-${randomUUID()}`;
    redis = new Redis(REDIS_URL);
    readers = [];
    holds = [];
  });

  afterEach(async () => {
    for (const release of holds) release();
    await Promise.all(readers.map((r) => r.stop()));
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.unlink(...keys);
    await redis.quit();
  });

  it('delivers a result published before any bot started, with its thread and event intact', async () => {
    const thread = slackThread();
    const id = await new OutboxWriter(redis, { prefix }).publish(thread, result);
    const inbox = new Inbox();
    const bot = reader();
    bot.start(inbox.handler);

    const [delivery] = await inbox.take(1);
    expect(delivery).toEqual({ id, thread, event: result, deliveries: 1 });
    await bot.stop();
    expect(await pendingCount()).toBe(0);
  });

  it('refuses to publish an invalid event and leaves the stream untouched', async () => {
    const writer = new OutboxWriter(redis, { prefix });
    const broken = { ...progress('job-1', 10), percent: 140 };
    await expect(writer.publish(slackThread(), broken)).rejects.toBeInstanceOf(OutboxEntryInvalidError);
    await expect(writer.publish({ platform: '' }, result)).rejects.toMatchObject({
      code: 'OUTBOX_ENTRY_INVALID',
    });
    expect(await redis.exists(`${prefix}:outbox:slack`)).toBe(0);
  });

  it('handles entries in the order they were written, before and after the bot started', async () => {
    const writer = new OutboxWriter(redis, { prefix });
    for (let i = 0; i < 10; i++) await writer.publish(slackThread(), progress('job-1', i));
    const inbox = new Inbox();
    reader({ batch: 3 }).start(inbox.handler);
    for (let i = 10; i < 20; i++) await writer.publish(slackThread(), progress('job-1', i));

    const deliveries = await inbox.take(20);
    expect(deliveries.map((d) => (d.event.type === 'progress' ? d.event.percent : -1))).toEqual(
      Array.from({ length: 20 }, (_, i) => i),
    );
  });

  it('delivers again to a restarted bot (same consumer) what the previous one never acknowledged', async () => {
    await new OutboxWriter(redis, { prefix }).publish(slackThread(), result);
    const received = deferred();
    const release = deferred();
    holds.push(() => release.resolve());
    const dying = reader();
    dying.start(async () => {
      received.resolve();
      await release.promise; // the bot "dies" here: between receiving the result and posting it
    });
    await received.promise;
    let stopped = false;
    const stopping = dying.stop().then(() => {
      stopped = true;
    });

    const inbox = new Inbox();
    reader().start(inbox.handler);
    const [again] = await inbox.take(1);
    const stoppedWhileHandlerRan = stopped;
    release.resolve();
    await stopping;
    expect(again?.event).toEqual(result);
    expect(again?.deliveries).toBe(2);
    // stop() waited for the handler that was still running.
    expect(stoppedWhileHandlerRan).toBe(false);
  });

  it('lets another bot claim entries a dead consumer read but never acknowledged, after claimIdleMs', async () => {
    const id = await new OutboxWriter(redis, { prefix }).publish(slackThread(), result);
    const crashed = deferred();
    const dead = reader({ consumer: 'bot-dead' });
    dead.start(async () => {
      crashed.resolve();
      throw new Error('process crashed before acking');
    });
    await crashed.promise;
    await dead.stop();
    expect(await pendingCount()).toBe(1);

    const inbox = new Inbox();
    const survivor = reader({ consumer: 'bot-alive', claimIdleMs: 150, blockMs: 50 });
    survivor.start(inbox.handler);
    const [claimed] = await inbox.take(1);
    expect(claimed).toMatchObject({ id, event: result, deliveries: 2 });
    await survivor.stop();
    expect(await pendingCount()).toBe(0);
  });

  it('retries an entry whose handler threw, without holding back the next one', async () => {
    const writer = new OutboxWriter(redis, { prefix });
    const failing = await writer.publish(slackThread(), progress('job-1', 1));
    const next = await writer.publish(slackThread(), progress('job-2', 1));
    const inbox = new Inbox();
    let failed = false;
    reader({ claimIdleMs: 100, blockMs: 50 }).start(async (delivery) => {
      if (delivery.id === failing && !failed) {
        failed = true;
        throw new Error('Slack answered 503');
      }
      await inbox.handler(delivery);
    });

    const deliveries = await inbox.take(2);
    expect(deliveries.map((d) => [d.id, d.deliveries])).toEqual([
      [next, 1],
      [failing, 2],
    ]);
  });

  it('dead-letters an unreadable entry with the reason and still delivers the next one', async () => {
    const key = `${prefix}:outbox:slack`;
    const notJson = await redis.xadd(key, '*', 'thread', JSON.stringify(slackThread()), 'event', '{oops');
    const badSchema = await redis.xadd(
      key,
      '*',
      'thread',
      JSON.stringify(slackThread()),
      'event',
      JSON.stringify({ type: 'progress', kind: 'migrate' }),
    );
    const good = await new OutboxWriter(redis, { prefix }).publish(slackThread(), result);
    const inbox = new Inbox();
    const bot = reader();
    bot.start(inbox.handler);

    const [delivery] = await inbox.take(1);
    expect(delivery?.id).toBe(good);
    await bot.stop();
    expect(inbox.deliveries).toHaveLength(1);
    expect(await pendingCount()).toBe(0);
    const dead = (await redis.xrange(`${key}:dead`, '-', '+')).map(([, fields]) => fields);
    expect(dead).toHaveLength(2);
    expect(dead[0]).toEqual(expect.arrayContaining(['id', notJson, 'reason', 'event: not JSON', '{oops']));
    expect(dead[1]).toEqual(expect.arrayContaining(['id', badSchema]));
    expect(dead[1]?.[dead[1].indexOf('reason') + 1]).toContain('event.jobId');
  });

  it("keeps each platform's stream separate", async () => {
    const writer = new OutboxWriter(redis, { prefix });
    const discordThread: ThreadRef = { platform: 'discord', threadId: '123456789' };
    await writer.publish(discordThread, progress('job-d', 5));
    const slackId = await writer.publish(slackThread(), progress('job-s', 5));
    const slack = new Inbox();
    const discord = new Inbox();
    const slackBot = reader();
    const discordBot = reader({ platform: 'discord' });
    slackBot.start(slack.handler);
    discordBot.start(discord.handler);

    const [fromDiscord] = await discord.take(1);
    const [fromSlack] = await slack.take(1);
    expect(fromDiscord?.thread).toEqual(discordThread);
    expect(fromSlack?.id).toBe(slackId);
    await Promise.all([slackBot.stop(), discordBot.stop()]);
    expect(slack.deliveries.map((d) => d.event.jobId)).toEqual(['job-s']);
    expect(discord.deliveries.map((d) => d.event.jobId)).toEqual(['job-d']);
  });

  it('stop() returns promptly while the reader is blocked waiting for entries', async () => {
    const bot = reader({ blockMs: 20_000, claimIdleMs: 60_000 });
    bot.start(async () => {});
    await blockedClientId();

    const started = performance.now();
    await bot.stop();
    // Waiting out the block would take 20 s.
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('keeps delivering after its blocking connection is killed', async () => {
    const inbox = new Inbox();
    reader({ blockMs: 20_000 }).start(inbox.handler);
    await redis.client('KILL', 'ID', await blockedClientId());

    await new OutboxWriter(redis, { prefix }).publish(slackThread(), result);
    const [delivery] = await inbox.take(1);
    expect(delivery?.event).toEqual(result);
  });

  it('re-creates its consumer group when Redis lost the stream', async () => {
    const writer = new OutboxWriter(redis, { prefix });
    const inbox = new Inbox();
    reader({ blockMs: 50 }).start(inbox.handler);
    await writer.publish(slackThread(), progress('job-1', 1));
    await inbox.take(1);

    await redis.del(`${prefix}:outbox:slack`);
    await writer.publish(slackThread(), progress('job-1', 2));
    const deliveries = await inbox.take(2);
    expect(deliveries[1]?.event).toEqual(progress('job-1', 2));
  });

  it('moves an entry the platform refuses for good (a 4xx) to the dead letters after maxDeliveries, and goes on', async () => {
    const writer = new OutboxWriter(redis, { prefix });
    const refused = await writer.publish(slackThread('C-GONE'), result);
    const next = await writer.publish(slackThread(), progress('job-2', 1));
    const inbox = new Inbox();
    const attempts: number[] = [];
    const log = errorLog();
    const deadLettered = log.next(/dead letters/);
    reader({ claimIdleMs: 20, blockMs: 20, maxDeliveries: 3, logger: log.logger }).start(async (delivery) => {
      if (delivery.id === refused) {
        attempts.push(delivery.deliveries);
        throw platformError(404, 10003, 'Unknown Channel');
      }
      await inbox.handler(delivery);
    });

    expect((await inbox.take(1)).map((d) => d.id)).toEqual([next]);
    const context = await deadLettered;
    expect(context).toMatchObject({ id: refused, deliveries: 3, error: 'Unknown Channel', code: 10003 });
    expect(attempts).toEqual([1, 2, 3]);
    const key = `${prefix}:outbox:slack`;
    const dead = (await redis.xrange(`${key}:dead`, '-', '+')).map(([, fields]) => fields);
    expect(dead).toHaveLength(1);
    expect(dead[0]).toEqual(
      expect.arrayContaining(['id', refused, 'reason', 'handler failed 3 times: Unknown Channel']),
    );
    expect(dead[0]?.[dead[0].indexOf('event') + 1]).toBe(JSON.stringify(result));
    expect(await pendingCount()).toBe(0);
  });

  it('keeps retrying a failure that may pass (a 5xx), past maxDeliveries, each wait longer than the last', async () => {
    const id = await new OutboxWriter(redis, { prefix }).publish(slackThread(), result);
    const inbox = new Inbox();
    const attemptsAt: number[] = [];
    const claimIdleMs = 20;
    reader({ claimIdleMs, blockMs: 20, maxDeliveries: 2 }).start(async (delivery) => {
      attemptsAt.push(Date.now());
      if (delivery.deliveries < 5) throw platformError(503, 0, 'Service Unavailable');
      await inbox.handler(delivery);
    });

    const [delivered] = await inbox.take(1);
    expect(delivered).toMatchObject({ id, deliveries: 5 });
    // The retries waited their backoff (20, 40, 80 and 160 ms), never less whatever the load; a
    // retry every claimIdleMs would have taken about 80 ms. (A little slack for the time between
    // Redis handing out an entry and the handler seeing it, which may vary from one to the next.)
    const waited = (from: number, to: number) => attemptsAt[to]! - attemptsAt[from]!;
    expect(attemptsAt).toHaveLength(5);
    expect(waited(0, 4)).toBeGreaterThanOrEqual(300 - claimIdleMs);
    expect(waited(3, 4)).toBeGreaterThanOrEqual(160 - claimIdleMs);
    expect(await redis.exists(`${prefix}:outbox:slack:dead`)).toBe(0);
  });
});

describe('isPermanentDeliveryError', () => {
  it('is true for a platform 4xx other than 401, 408 and 429, and for errors that say so', () => {
    expect(isPermanentDeliveryError(platformError(404, 10003, 'Unknown Channel'))).toBe(true);
    expect(isPermanentDeliveryError(platformError(403, 50013, 'Missing Permissions'))).toBe(true);
    expect(isPermanentDeliveryError(platformError(400, 50035, 'Invalid Form Body'))).toBe(true);
    expect(isPermanentDeliveryError(Object.assign(new Error('channel_not_found'), { permanent: true }))).toBe(
      true,
    );
    expect(isPermanentDeliveryError(new Error('wrapped', { cause: platformError(403, 50001, 'x') }))).toBe(
      true,
    ); // discord.js's own error for Discord's refusal (thread creation without the permission).
    const refused = new DiscordAPIError(
      { code: 50013, message: 'Missing Permissions' },
      50013,
      403,
      'POST',
      'https://discord.com/api/v10/channels/1/messages/2/threads',
      { body: undefined, files: undefined },
    );
    expect(isPermanentDeliveryError(refused)).toBe(true);
  });

  it('is false for what may pass later: 5xx, rate limits, timeouts, a wrong token, network errors, bugs', () => {
    for (const status of [401, 408, 429, 500, 502, 503]) {
      expect(isPermanentDeliveryError(platformError(status, 0, 'x')), String(status)).toBe(false);
    }
    expect(
      isPermanentDeliveryError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })),
    ).toBe(false);
    expect(isPermanentDeliveryError(new TypeError('action is not a function'))).toBe(false);
    expect(isPermanentDeliveryError(undefined)).toBe(false);
  });
});
