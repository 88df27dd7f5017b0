// Which platform message a keyed OutgoingMessage became (a Slack ts, a Discord message id), kept
// in Redis so a restarted bot, or another replica, edits the same progress message and approval
// card instead of posting a second one and leaving the first frozen at "running".
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';

export interface MessageRefs {
  get(key: string): Promise<string | undefined>;
  set(key: string, ref: string): Promise<void>;
}

/** For a single process (tests, the console): forgotten on exit. */
export class MemoryMessageRefs implements MessageRefs {
  readonly #refs = new Map<string, string>();

  async get(key: string): Promise<string | undefined> {
    return this.#refs.get(key);
  }

  async set(key: string, ref: string): Promise<void> {
    this.#refs.set(key, ref);
  }
}

export interface RedisMessageRefsOptions {
  prefix: string;
  platform: string;
  /** Jobs and approvals end within days; their messages need not be found after that. Default 7 days. */
  ttlSeconds?: number;
}

export class RedisMessageRefs implements MessageRefs {
  readonly #redis: Redis;
  readonly #base: string;
  readonly #ttl: number;

  constructor(redis: Redis, options: RedisMessageRefsOptions) {
    this.#redis = redis;
    this.#base = `${options.prefix}:msgref:${options.platform}:`;
    this.#ttl = options.ttlSeconds ?? 7 * 24 * 3600;
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.#redis.get(this.#base + key)) ?? undefined;
  }

  async set(key: string, ref: string): Promise<void> {
    await this.#redis.set(this.#base + key, ref, 'EX', this.#ttl);
  }
}

/**
 * Wraps an EditCoalescer write: a message this process has not seen is looked up first, and a
 * newly posted one remembered. Redis trouble never costs the message itself: at worst it is
 * posted anew.
 */
export function rememberingWrite<T>(
  refs: MessageRefs,
  logger: Logger,
  write: (key: string, content: T, ref: string | undefined) => Promise<string>,
): (key: string, content: T, ref: string | undefined) => Promise<string> {
  return async (key, content, ref) => {
    let known = ref;
    if (known === undefined) {
      known = await refs.get(key).catch((error: unknown) => {
        logger.warn({ key, error: (error as Error).message }, 'cannot look up a message; posting anew');
        return undefined;
      });
    }
    const written = await write(key, content, known);
    if (written !== known) {
      await refs.set(key, written).catch((error: unknown) => {
        logger.warn({ key, error: (error as Error).message }, 'cannot remember a message');
      });
    }
    return written;
  };
}
