// Pause, Resume and Abort for jobs that may only stop between steps (a rolling upgrade must not
// be cut in the middle of a dist-upgrade). Like cancel requests, they cross processes: the bot
// records the wish in Redis, the worker reads it at its next step boundary.
import type { Redis } from 'ioredis';
import { z } from 'zod';

export interface JobControl {
  action: 'pause' | 'abort';
  by: string;
  at: number;
}

const controlSchema = z.object({ action: z.enum(['pause', 'abort']), by: z.string(), at: z.number() });
const TTL_S = 7 * 24 * 3600;

export class JobControls {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  /** Pause and abort are recorded (an abort is never undone by a later pause); resume lifts a pause. */
  async set(
    jobId: string,
    action: 'pause' | 'resume' | 'abort',
    by: string,
  ): Promise<JobControl | undefined> {
    const current = await this.get(jobId);
    if (current?.action === 'abort') return current;
    if (action === 'resume') {
      await this.#redis.del(this.#key(jobId));
      return undefined;
    }
    const control: JobControl = { action, by, at: Date.now() };
    await this.#redis.set(this.#key(jobId), JSON.stringify(control), 'EX', TTL_S);
    return control;
  }

  async get(jobId: string): Promise<JobControl | undefined> {
    const raw = await this.#redis.get(this.#key(jobId));
    if (raw === null) return undefined;
    const parsed = controlSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  }

  async clear(jobId: string): Promise<void> {
    await this.#redis.del(this.#key(jobId));
  }

  #key(jobId: string): string {
    return `${this.#prefix}:job-control:${jobId}`;
  }
}
