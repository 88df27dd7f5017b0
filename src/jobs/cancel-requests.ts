// Cancellation crosses processes: the bot (which has no PVE credentials) records who asked, and
// the worker running the job sees it within a poll and stops the PVE task itself.
import type { Redis } from 'ioredis';

const TTL_S = 24 * 3600;

export class CancelRequests {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  async request(jobId: string, by: string): Promise<void> {
    await this.#redis.set(this.#key(jobId), by, 'EX', TTL_S);
  }

  /** Who asked to cancel the job, if anyone. */
  async requestedBy(jobId: string): Promise<string | undefined> {
    return (await this.#redis.get(this.#key(jobId))) ?? undefined;
  }

  async clear(jobId: string): Promise<void> {
    await this.#redis.del(this.#key(jobId));
  }

  #key(jobId: string): string {
    return `${this.#prefix}:cancel:${jobId}`;
  }
}
