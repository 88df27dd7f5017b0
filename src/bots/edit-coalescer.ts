// Messages edited in place (a job's progress, an approval card), kept inside chat rate limits:
// one write at a time per message, at most one edit per intervalMs, the newest content wins, and a
// final version is never replaced by a stale one nor dropped for being too soon. The first
// version is posted at once, and its caller waits for it, so messages keep their order in a thread.
// Later versions return at once: the caller (the outbox reader) must not wait out the interval.

export interface Timer {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimer: Timer = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface EditCoalescerOptions<T, R> {
  /** At least this long between the starts of two writes to one message. */
  intervalMs: number;
  /** Posts the content when `ref` is undefined and returns the new message's ref; else edits `ref`. */
  write(key: string, content: T, ref: R | undefined): Promise<R>;
  /** A final version (a finished job, a decided approval) is never superseded by a non-final one. */
  isFinal(content: T): boolean;
  /** Whether a failed write deserves another attempt, one interval later (a rate limit, a timeout). */
  retryable?(error: unknown): boolean;
  /** Attempts per version, the first included. */
  maxAttempts?: number;
  onError?(key: string, error: unknown): void;
  /** Messages idle this long are forgotten (a later version would be posted anew). */
  forgetAfterMs?: number;
  timer?: Timer;
}

interface Entry<T, R> {
  ref: R | undefined;
  pending: { content: T; attempts: number } | undefined;
  writing: Promise<void> | undefined;
  lastWriteAt: number | undefined;
  timer: unknown;
  final: boolean;
  touchedAt: number;
}

export class EditCoalescer<T, R> {
  readonly #o: Required<Omit<EditCoalescerOptions<T, R>, 'onError'>> &
    Pick<EditCoalescerOptions<T, R>, 'onError'>;
  readonly #entries = new Map<string, Entry<T, R>>();
  #idleWaiters: Array<() => void> = [];
  #draining = false;
  #lastSweep = 0;

  constructor(options: EditCoalescerOptions<T, R>) {
    if (!(options.intervalMs >= 0)) throw new RangeError('intervalMs must be 0 or more');
    this.#o = {
      retryable: () => false,
      maxAttempts: 3,
      forgetAfterMs: 24 * 3_600_000,
      timer: realTimer,
      ...options,
    };
    if (!(this.#o.maxAttempts >= 1)) throw new RangeError('maxAttempts must be 1 or more');
  }

  /** Messages currently remembered. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Queues a version of the message `key`. `ref` names a message posted elsewhere (it is then only
   * ever edited). Resolves once the first version is posted; later versions resolve at once.
   */
  submit(key: string, content: T, ref?: R): Promise<void> {
    const now = this.#o.timer.now();
    this.#sweep(now);
    let entry = this.#entries.get(key);
    if (!entry) {
      entry = {
        ref,
        pending: undefined,
        writing: undefined,
        lastWriteAt: undefined,
        timer: undefined,
        final: false,
        touchedAt: now,
      };
      this.#entries.set(key, entry);
    }
    entry.touchedAt = now;
    const final = this.#o.isFinal(content);
    if (entry.final && !final) return Promise.resolve();
    entry.final ||= final;
    const posting = entry.ref === undefined && entry.lastWriteAt === undefined;
    entry.pending = { content, attempts: 0 };
    const started = this.#pump(key, entry);
    return posting && started ? started : Promise.resolve();
  }

  /** Resolves when nothing is waiting to be written (tests, shutdown). */
  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Writes every waiting version now, ignoring the interval, and resolves when all are written. */
  async drain(): Promise<void> {
    this.#draining = true;
    try {
      for (const [key, entry] of this.#entries) {
        if (entry.timer !== undefined) {
          this.#o.timer.clearTimeout(entry.timer);
          entry.timer = undefined;
        }
        this.#pump(key, entry);
      }
      await this.idle();
    } finally {
      this.#draining = false;
    }
  }

  #pump(key: string, entry: Entry<T, R>): Promise<void> | undefined {
    if (entry.writing || !entry.pending) return undefined;
    const now = this.#o.timer.now();
    const wait =
      this.#draining || entry.lastWriteAt === undefined ? 0 : entry.lastWriteAt + this.#o.intervalMs - now;
    if (wait > 0) {
      entry.timer ??= this.#o.timer.setTimeout(() => {
        entry.timer = undefined;
        this.#pump(key, entry);
      }, wait);
      return undefined;
    }
    const job = entry.pending;
    entry.pending = undefined;
    entry.lastWriteAt = now;
    entry.writing = (async () => {
      try {
        entry.ref = await this.#o.write(key, job.content, entry.ref);
      } catch (error) {
        const again = this.#o.retryable(error) && job.attempts + 1 < this.#o.maxAttempts;
        if (again && entry.pending === undefined)
          entry.pending = { content: job.content, attempts: job.attempts + 1 };
        else if (!again) this.#o.onError?.(key, error);
      } finally {
        entry.writing = undefined;
        entry.touchedAt = this.#o.timer.now();
      }
      this.#pump(key, entry);
      if (this.#isIdle()) for (const resolve of this.#idleWaiters.splice(0)) resolve();
    })();
    return entry.writing;
  }

  #isIdle(): boolean {
    for (const entry of this.#entries.values()) if (entry.pending || entry.writing) return false;
    return true;
  }

  /** Forgets messages nothing has happened to for forgetAfterMs; looks at most ten times that often. */
  #sweep(now: number): void {
    if (now - this.#lastSweep < this.#o.forgetAfterMs / 10) return;
    this.#lastSweep = now;
    for (const [key, entry] of this.#entries) {
      if (!entry.pending && !entry.writing && now - entry.touchedAt >= this.#o.forgetAfterMs) {
        this.#entries.delete(key);
      }
    }
  }
}
