// A restarted bot edits the progress message its predecessor posted, found through Redis.
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { EditCoalescer } from '../../src/bots/edit-coalescer.js';
import { type MessageRefs, RedisMessageRefs, rememberingWrite } from '../../src/bots/message-refs.js';
import { createRedis } from '../../src/jobs/redis-connection.js';
import { silentLogger } from '../../src/logger.js';

const redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', silentLogger, 'test');
afterAll(async () => {
  await redis.quit();
});

/** A chat platform: posts get new ids, edits change a message in place. */
function platform() {
  const messages = new Map<string, string>();
  let next = 1;
  const calls: string[] = [];
  return {
    messages,
    calls,
    write: async (_key: string, content: string, ref: string | undefined) => {
      if (ref !== undefined) {
        calls.push(`edit ${ref}`);
        messages.set(ref, content);
        return ref;
      }
      const id = `m${next++}`;
      calls.push(`post ${id}`);
      messages.set(id, content);
      return id;
    },
  };
}

function coalescer(refs: MessageRefs, chat: ReturnType<typeof platform>) {
  return new EditCoalescer<string, string>({
    intervalMs: 0,
    isFinal: (content) => content.startsWith('done'),
    write: rememberingWrite(refs, silentLogger, chat.write),
  });
}

describe('message refs in Redis', () => {
  it('lets a restarted process edit the message the first one posted', async () => {
    const prefix = `test-refs-${randomUUID()}`;
    const chat = platform();
    const first = coalescer(new RedisMessageRefs(redis, { prefix, platform: 'discord' }), chat);
    await first.submit('C1/job:1', 'running 10%');
    await first.idle();
    // The process dies; a new one, with nothing in memory, carries on.
    const second = coalescer(new RedisMessageRefs(redis, { prefix, platform: 'discord' }), chat);
    await second.submit('C1/job:1', 'done: succeeded');
    await second.idle();
    expect(chat.calls).toEqual(['post m1', 'edit m1']);
    expect([...chat.messages.values()]).toEqual(['done: succeeded']);
    expect(await redis.ttl(`${prefix}:msgref:discord:C1/job:1`)).toBeGreaterThan(6 * 24 * 3600);
  });

  it('posts anew when Redis cannot answer, rather than losing the message', async () => {
    const chat = platform();
    const broken: MessageRefs = {
      get: async () => {
        throw new Error('Redis is down');
      },
      set: async () => {
        throw new Error('Redis is down');
      },
    };
    const c = coalescer(broken, chat);
    await c.submit('C1/job:2', 'running');
    await c.idle();
    expect(chat.calls).toEqual(['post m1']);
  });
});
