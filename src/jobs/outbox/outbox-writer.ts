// The producer side of the outbox: jobs append their progress and results to a Redis stream per
// chat platform, and the bot processes of that platform read it (OutboxReader). Going through a
// stream rather than pub/sub is what lets a bot restart without losing a result.
import type { Redis } from 'ioredis';
import { type JobEvent, jobEventSchema, type ThreadRef, threadRefSchema } from '../job-events.js';

export interface OutboxWriterOptions {
  /** Key prefix shared by everything pve-chatops keeps in Redis. */
  prefix?: string;
  /** Approximate cap on a stream's length (`MAXLEN ~`), so an absent bot cannot fill Redis. */
  maxLength?: number;
}

/** The stream of one platform. The outbox routes on `platform` alone; the rest is the adapter's. */
export function outboxStreamKey(prefix: string, platform: string): string {
  return `${prefix}:outbox:${platform}`;
}

/** A job tried to publish something the bots could not read back: a bug in the job, not in chat. */
export class OutboxEntryInvalidError extends Error {
  override readonly name = 'OutboxEntryInvalidError';
  readonly code = 'OUTBOX_ENTRY_INVALID';
  readonly problems: readonly string[];

  constructor(problems: string[]) {
    super(`Refusing to publish an invalid outbox entry: ${problems.join('; ')}`);
    this.problems = problems;
  }
}

export class OutboxWriter {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #maxLength: number;

  constructor(redis: Redis, options: OutboxWriterOptions = {}) {
    const { prefix = 'pve-chatops', maxLength = 100_000 } = options;
    if (!Number.isInteger(maxLength) || maxLength < 1)
      throw new RangeError(`OutboxWriter: maxLength must be a positive integer, got ${maxLength}`);
    this.#redis = redis;
    this.#prefix = prefix;
    this.#maxLength = maxLength;
  }

  /** Appends one event for `thread`; resolves with the stream entry id. */
  async publish(thread: ThreadRef, event: JobEvent): Promise<string> {
    // Validate here, where the caller can still see the stack: an entry the readers cannot parse
    // would only surface later as a dead letter, far from the job that wrote it.
    const threadResult = threadRefSchema.safeParse(thread);
    const eventResult = jobEventSchema.safeParse(event);
    const problems = [
      ...(threadResult.success ? [] : describeIssues('thread', threadResult.error.issues)),
      ...(eventResult.success ? [] : describeIssues('event', eventResult.error.issues)),
    ];
    if (!threadResult.success || !eventResult.success) throw new OutboxEntryInvalidError(problems);

    const id = await this.#redis.xadd(
      outboxStreamKey(this.#prefix, threadResult.data.platform),
      'MAXLEN',
      '~',
      this.#maxLength,
      '*',
      'thread',
      JSON.stringify(threadResult.data),
      'event',
      JSON.stringify(eventResult.data),
    );
    // XADD only answers nil with NOMKSTREAM, which is not used here.
    if (id === null) throw new Error('XADD returned no entry id');
    return id;
  }
}

/** Paths and messages only: the values may hold user text, which does not belong in errors or logs. */
export function describeIssues(
  field: string,
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
): string[] {
  return issues.map((issue) => `${[field, ...issue.path.map(String)].join('.')}: ${issue.message}`);
}
