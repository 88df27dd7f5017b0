// The durable intake on a real Redis: a submitted request is handled once by one of the replicas
// consuming the stream; a replay is not added; an entry whose replica died is taken over by
// another; a revoked submit and an unreadable entry are never handled.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { CommandIntake, intakeStreamKey } from '../../src/core/intake/command-intake.js';
import type { IntakeEntry } from '../../src/core/intake/intake-entry.js';
import { createRedis } from '../../src/jobs/redis-connection.js';
import { type Logger, silentLogger } from '../../src/logger.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function world() {
  const redis = createRedis(REDIS_URL, silentLogger, 'test');
  const prefix = `test-intake-${randomUUID()}`;
  cleanups.push(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.unlink(...keys);
    redis.disconnect();
  });
  return { redis, prefix };
}

function intake(
  redis: Redis,
  prefix: string,
  consumer: string,
  extra: { claimIdleMs?: number; logger?: Logger } = {},
) {
  const made = new CommandIntake({
    submitWith: redis,
    readWith: redis,
    prefix,
    consumer,
    platforms: ['test'],
    blockMs: 100,
    ...extra,
  });
  cleanups.push(() => made.stop());
  return made;
}

function command(text: string, requestId?: string): IntakeEntry {
  return {
    type: 'command',
    acceptedAt: Date.now(),
    event: {
      platform: 'test',
      user: { id: 'test:alice', name: 'alice', groups: [] },
      channel: 'test:C1',
      text,
      thread: { platform: 'test', channel: 'C1' },
      ...(requestId === undefined ? {} : { requestId }),
    },
  };
}

/** A handler that records what it was given and resolves `next` with each entry. */
function recorder() {
  const seen: Array<{ consumer: string; text: string }> = [];
  const waiters: Array<(entry: IntakeEntry) => void> = [];
  return {
    seen,
    handler: (consumer: string) => async (entry: IntakeEntry) => {
      seen.push({ consumer, text: entry.type === 'command' ? entry.event.text : entry.press.action });
      waiters.shift()?.(entry);
    },
    next: () => new Promise<IntakeEntry>((resolve) => waiters.push(resolve)),
  };
}

/** A logger whose `warn`/`error` with message `msg` resolves the returned promise. */
function loggerWaitingFor(msg: string): { logger: Logger; logged: Promise<void> } {
  let resolve!: () => void;
  const logged = new Promise<void>((r) => {
    resolve = r;
  });
  const hit = (_fields: unknown, message?: string) => {
    if (message === msg) resolve();
  };
  const logger = { ...silentLogger, warn: hit, error: hit, child: () => logger } as unknown as Logger;
  return { logger, logged };
}

describe('the command intake', () => {
  it('hands each submitted request to one replica, once; a replayed request id is not added', async () => {
    const { redis, prefix } = world();
    const a = intake(redis, prefix, 'a');
    const b = intake(redis, prefix, 'b');
    const r = recorder();
    a.start(r.handler('a'));
    b.start(r.handler('b'));
    const handled = [r.next(), r.next()];
    expect(await a.submit(command('status', 'test:req-1'))).toBe('accepted');
    expect(await b.submit(command('status', 'test:req-1'))).toBe('duplicate');
    expect(await a.submit(command('whoami'))).toBe('accepted');
    await Promise.all(handled);
    expect(r.seen.map((s) => s.text).sort()).toEqual(['status', 'whoami']);
    // Both acknowledged: nothing left pending for anyone to take over.
    await a.stop();
    await b.stop();
    const pending = (await redis.xpending(intakeStreamKey(prefix, 'test'), 'bots')) as [number];
    expect(pending[0]).toBe(0);
  });

  it('gives an entry whose replica died (read, never acknowledged) to another replica', async () => {
    const { redis, prefix } = world();
    const submitter = intake(redis, prefix, 'receiver');
    await submitter.submit(command('stop TestVM', 'test:req-2'));
    // The dead replica: it read the entry and never came back to it.
    await redis.xgroup('CREATE', intakeStreamKey(prefix, 'test'), 'bots', '0', 'MKSTREAM');
    const read = (await redis.xreadgroup(
      'GROUP',
      'bots',
      'dead',
      'COUNT',
      1,
      'STREAMS',
      intakeStreamKey(prefix, 'test'),
      '>',
    )) as unknown[];
    expect(read).toHaveLength(1);

    const survivor = intake(redis, prefix, 'survivor', { claimIdleMs: 200 });
    const r = recorder();
    const handled = r.next();
    survivor.start(r.handler('survivor'));
    await handled;
    expect(r.seen).toEqual([{ consumer: 'survivor', text: 'stop TestVM' }]);
  });

  it('renews its claim while it handles an entry, but never takes back one another replica took over', async () => {
    const { redis, prefix } = world();
    const key = intakeStreamKey(prefix, 'test');
    const lost = loggerWaitingFor('an intake entry was taken over by another replica while handled here');
    const slow = intake(redis, prefix, 'slow', { claimIdleMs: 300, logger: lost.logger });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started!: (id: string) => void;
    const handling = new Promise<string>((resolve) => {
      started = resolve;
    });
    slow.start(async () => {
      const rows = (await redis.xpending(key, 'bots', '-', '+', 1)) as Array<[string]>;
      started(rows[0]![0]);
      await gate;
    });
    await slow.submit(command('migrate TestVM node03', 'test:req-3'));
    const id = await handling;
    // Another replica decided this one was stuck and took the entry.
    await redis.xclaim(key, 'bots', 'thief', 0, id, 'JUSTID');
    await lost.logged;
    const rows = (await redis.xpending(key, 'bots', '-', '+', 1)) as Array<[string, string]>;
    expect(rows[0]![1]).toBe('thief');
    release();
  });

  it('never hands over a revoked submit or an entry it cannot read', async () => {
    const { redis, prefix } = world();
    const key = intakeStreamKey(prefix, 'test');
    // A submit the bot answered "not accepted" for, which Redis executed after all: its marker follows.
    await redis.xadd(key, '*', 'entry', JSON.stringify(command('stop TestVM')), 'submission', 's-1');
    await redis.set(`${prefix}:revoked:s-1`, '1');
    const revoked = loggerWaitingFor(
      'a request answered "not accepted" reached the intake after all; not run',
    );
    const r = recorder();
    const consumer = intake(redis, prefix, 'c', { logger: revoked.logger });
    consumer.start(r.handler('c'));
    await revoked.logged;

    await consumer.stop();
    await redis.xadd(key, '*', 'entry', '{"type":"command","event":{}}', 'submission', 's-2');
    const damaged = loggerWaitingFor('an intake entry cannot be read; dropped');
    const again = intake(redis, prefix, 'd', { logger: damaged.logger });
    again.start(r.handler('d'));
    await damaged.logged;
    expect(r.seen).toEqual([]);
  });
});
