// The interactions being answered, as every bot replica finds them: an interaction recorded by
// one replica is read by another, its token kept no longer than it works (14 of Discord's 15
// minutes), and a command's private "thinking" reply is claimed by one caller only, however many
// replicas ask at once.
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type AnsweredInteraction,
  INTERACTION_USABLE_MS,
  MemoryInteractionRegistry,
  RedisInteractionRegistry,
} from '../../src/bots/discord/interaction-registry.js';
import { createRedis } from '../../src/jobs/redis-connection.js';
import { silentLogger } from '../../src/logger.js';

const redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', silentLogger, 'test');
const prefixes: string[] = [];
afterAll(async () => {
  for (const prefix of prefixes) {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.unlink(...keys);
  }
  await redis.quit();
});

function newPrefix(): string {
  const prefix = `test-interactions-${randomUUID()}`;
  prefixes.push(prefix);
  return prefix;
}

const COMMAND: AnsweredInteraction = {
  id: '500000000000000001',
  token: 'aW50ZXJhY3Rpb24-secret-token',
  applicationId: '100000000000000001',
  userId: '400000000000000001',
};
const CLICK: AnsweredInteraction = { ...COMMAND, id: '500000000000000002', token: 'another-secret' };

describe('RedisInteractionRegistry', () => {
  it('hands one replica what another recorded, for 14 minutes, under a key that holds no token', async () => {
    const prefix = newPrefix();
    const receiving = new RedisInteractionRegistry(redis, { prefix });
    const handling = new RedisInteractionRegistry(redis, { prefix });
    await receiving.remember(COMMAND, { deferredReply: true });
    expect(await handling.get(COMMAND.id)).toEqual(COMMAND);
    expect(await handling.get('500000000000000099')).toBeUndefined();
    const [key] = await redis.keys(`${prefix}*`);
    expect(key).toBe(`${prefix}:interaction:discord:${COMMAND.id}`);
    const ttl = await redis.pttl(key!);
    expect(ttl).toBeGreaterThan(INTERACTION_USABLE_MS - 60_000);
    expect(ttl).toBeLessThanOrEqual(INTERACTION_USABLE_MS);
  });

  it("lets exactly one of several replicas claim a command's deferred reply; a click has none", async () => {
    const prefix = newPrefix();
    const replicas = [1, 2, 3, 4].map(() => new RedisInteractionRegistry(redis, { prefix }));
    await replicas[0]!.remember(COMMAND, { deferredReply: true });
    await replicas[0]!.remember(CLICK, { deferredReply: false });
    const claims = await Promise.all(replicas.map((r) => r.claimDeferredReply(COMMAND.id)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await replicas[1]!.claimDeferredReply(COMMAND.id)).toBe(false);
    expect(await replicas[1]!.claimDeferredReply(CLICK.id)).toBe(false);
    // Claimed, the interaction still answers follow-ups.
    expect(await replicas[2]!.get(COMMAND.id)).toEqual(COMMAND);
  });
});

describe('MemoryInteractionRegistry', () => {
  it('answers for 14 minutes, claims the deferred reply once, and forgets after', async () => {
    let now = 1_000_000;
    const registry = new MemoryInteractionRegistry(() => now);
    await registry.remember(COMMAND, { deferredReply: true });
    await registry.remember(CLICK, { deferredReply: false });
    expect(await registry.get(COMMAND.id)).toEqual(COMMAND);
    expect(await registry.claimDeferredReply(CLICK.id)).toBe(false);
    expect(await registry.claimDeferredReply(COMMAND.id)).toBe(true);
    expect(await registry.claimDeferredReply(COMMAND.id)).toBe(false);
    now += INTERACTION_USABLE_MS - 1;
    expect(await registry.get(CLICK.id)).toEqual(CLICK);
    now += 1;
    expect(await registry.get(COMMAND.id)).toBeUndefined();
    expect(await registry.get(CLICK.id)).toBeUndefined();
  });
});
