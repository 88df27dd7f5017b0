// An enqueue the bot gave up on must not run. The intake connection fails a write that got no
// answer in time (INTAKE_COMMAND_TIMEOUT_MS), and the person is told "not accepted, nothing will
// run". But a write that timed out was sent: a Redis that was only slow or stopped (SIGSTOP, a
// long fork, a paused VM) executes it when it resumes, and the job would run after all.
//
// So after such a failure the bot writes a revoke marker for that enqueue (its `submission`, unique
// per enqueue call, so a later enqueue under the same job id is not affected), and the worker
// checks it before the job's first start. Why this holds:
// - The marker goes out on the same connection the moment the add times out. Redis executes a
//   connection's commands in order, so a late add is followed by the marker, and when Redis was
//   stopped both wait in its socket and run in the same read. A worker hears of the job only
//   once the add ran, and needs two more round trips (taking the job, reading the marker) before
//   the first start: the marker, already sent, has run by then.
// - When the connection broke instead (Redis killed, the network cut), the add either reached
//   Redis before the break or never will; the marker is then written as soon as this connection
//   is ready again. Until then a worker could start the job, if Redis came back with the add
//   executed and a worker got to it first: the one window left. No protocol over a single store
//   closes it (the bot cannot learn whether a lost reply's command ran); it is one round trip
//   wide at the moment of the break, and the start deadline still bounds how late anything runs.
// - A write the client refused without sending (no connection: "Stream isn't writeable") cannot
//   run later: no marker is needed.
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';

/** Longer than any start deadline: after that the job is refused for its age anyway. */
const TTL_S = 24 * 3600;
/** Markers waiting for the connection to come back; a bound against an outage of many requests. */
const MAX_PENDING = 10_000;

/** Whether a failed command may still reach Redis and be executed. */
export function mayHaveBeenSent(error: unknown): boolean {
  return !(error instanceof Error && error.message.includes("Stream isn't writeable"));
}

export class RevokedSubmissions {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #logger: Logger | undefined;
  readonly #pending = new Set<string>();

  constructor(redis: Redis, prefix: string, logger?: Logger) {
    this.#redis = redis;
    this.#prefix = prefix;
    this.#logger = logger;
    redis.on('ready', () => void this.#flush());
  }

  /** Marks the enqueue `submission` as revoked: if its job exists or appears, it never starts. */
  revoke(submission: string): void {
    // Not awaited: the person's answer does not wait for it, and it is written in order anyway.
    this.#write(submission).catch(() => {
      if (this.#pending.size < MAX_PENDING) this.#pending.add(submission);
      else this.#logger?.error({ submission }, 'too many revoke markers waiting for Redis; one is dropped');
    });
  }

  async isRevoked(submission: string): Promise<boolean> {
    return (await this.#redis.exists(this.#key(submission))) === 1;
  }

  /** How many markers wait for the connection (for tests and logs). */
  get pending(): number {
    return this.#pending.size;
  }

  async #write(submission: string): Promise<void> {
    await this.#redis.set(this.#key(submission), '1', 'EX', TTL_S);
  }

  async #flush(): Promise<void> {
    for (const submission of [...this.#pending]) {
      try {
        await this.#write(submission);
        this.#pending.delete(submission);
      } catch {
        return; // not ready after all: the next 'ready' tries again
      }
    }
  }

  #key(submission: string): string {
    return `${this.#prefix}:revoked:${submission}`;
  }
}
