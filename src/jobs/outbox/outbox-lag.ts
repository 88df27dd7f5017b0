// How far the bots are behind the outbox, for /metrics: per platform, the age of the oldest entry
// its consumer group has not acknowledged yet, whether never read (after the group's
// last-delivered-id) or read and still pending (a bot died or its handler failed). A few O(1)
// Redis commands per platform, so it can run on every scrape.
import type { Redis } from 'ioredis';
import { outboxStreamKey } from './outbox-writer.js';

export interface OutboxLagOptions {
  /** Key prefix (REDIS_PREFIX), as given to OutboxWriter and OutboxReader. */
  prefix: string;
  /** The platforms whose streams to look at (the bots' adapters: `slack`, `discord`, …). */
  platforms: readonly string[];
  /** The readers' consumer group. Default `bots`, OutboxReader's default. */
  group?: string;
}

/** Seconds since the oldest unacknowledged entry of each platform's outbox; 0 when there is none. */
export async function readOutboxLag(
  redis: Redis,
  options: OutboxLagOptions,
): Promise<Record<string, number>> {
  const group = options.group ?? 'bots';
  // Stream ids carry Redis's clock: compare them with Redis's time, not ours.
  const [seconds, micros] = await redis.time();
  const nowMs = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
  const oldest = await Promise.all(
    options.platforms.map((platform) =>
      oldestUnacked(redis, outboxStreamKey(options.prefix, platform), group),
    ),
  );
  return Object.fromEntries(
    options.platforms.map((platform, i) => {
      const id = oldest[i];
      return [platform, id === undefined ? 0 : Math.max(0, nowMs - idMs(id)) / 1000];
    }),
  );
}

async function oldestUnacked(redis: Redis, key: string, group: string): Promise<string | undefined> {
  const groups = await redis.xinfo('GROUPS', key).catch((error: Error) => {
    if (/no such key/i.test(error.message)) return []; // nothing was ever written
    throw error;
  });
  const info = (groups as unknown[][]).map(fieldsOf).find((fields) => fields.get('name') === group);
  if (!info) {
    // No bot has read this stream yet: every entry is waiting.
    return firstId(await redis.xrange(key, '-', '+', 'COUNT', 1));
  }
  const lastDelivered = String(info.get('last-delivered-id') ?? '0-0');
  const [pending, unread] = await Promise.all([
    redis.xpending(key, group) as Promise<[number, string | null, string | null, unknown]>,
    redis.xrange(key, `(${lastDelivered}`, '+', 'COUNT', 1),
  ]);
  const ids = [pending[1] ?? undefined, firstId(unread)].filter((id): id is string => id !== undefined);
  return ids.sort((a, b) => idMs(a) - idMs(b))[0];
}

function fieldsOf(flat: unknown[]): Map<string, unknown> {
  const map = new Map<string, unknown>();
  for (let i = 0; i + 1 < flat.length; i += 2) map.set(String(flat[i]), flat[i + 1]);
  return map;
}

function firstId(entries: [string, string[]][]): string | undefined {
  return entries[0]?.[0];
}

/** The millisecond part of a stream id (`1700000000000-3`). */
function idMs(id: string): number {
  return Number(id.split('-', 1)[0]);
}
