// Every simulated duration goes through here, so one `speed` factor makes the whole cluster
// faster than real time, and `close()` can clear every pending timer at once.

/** Thrown into a pending `sleep` when its owner is cancelled (task interrupt, node loss, close). */
export class SleepCancelled extends Error {
  override readonly name = 'SleepCancelled';
}

interface PendingSleep {
  timer: NodeJS.Timeout;
  reject: (error: Error) => void;
}

export class Scheduler {
  readonly speed: number;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly sleeps = new Set<PendingSleep>();
  private readonly startedAt = performance.now();
  private closed = false;

  constructor(speed: number) {
    if (!(speed > 0)) throw new RangeError(`speed must be greater than 0, got ${speed}`);
    this.speed = speed;
  }

  /** Simulated milliseconds since the scheduler was created (real elapsed time × speed). */
  simNow(): number {
    return (performance.now() - this.startedAt) * this.speed;
  }

  /** Runs `fn` once after `realMs` of simulated time, i.e. `realMs / speed` of wall time. */
  after(realMs: number, fn: () => void): NodeJS.Timeout | undefined {
    if (this.closed) return undefined;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.closed) fn();
    }, this.scaled(realMs));
    timer.unref();
    this.timers.add(timer);
    return timer;
  }

  /** Runs `fn` every `realMs` of simulated time until `close()` or `cancel()`. */
  every(realMs: number, fn: () => void): NodeJS.Timeout | undefined {
    if (this.closed) return undefined;
    const timer = setInterval(() => {
      if (!this.closed) fn();
    }, this.scaled(realMs));
    timer.unref();
    this.timers.add(timer);
    return timer;
  }

  cancel(timer: NodeJS.Timeout | undefined): void {
    if (timer === undefined) return;
    clearTimeout(timer);
    this.timers.delete(timer);
  }

  /** Waits `realMs` of simulated time; `cancel` rejects the wait early with its error. */
  sleep(realMs: number, register?: (cancel: (error: Error) => void) => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.closed) {
        reject(new SleepCancelled('scheduler closed'));
        return;
      }
      const pending: PendingSleep = {
        timer: setTimeout(() => {
          this.sleeps.delete(pending);
          resolve();
        }, this.scaled(realMs)),
        reject,
      };
      pending.timer.unref();
      this.sleeps.add(pending);
      register?.((error) => {
        if (!this.sleeps.delete(pending)) return;
        clearTimeout(pending.timer);
        reject(error);
      });
    });
  }

  /** Clears every timer; pending sleeps are rejected so no task keeps running after a test. */
  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const pending of this.sleeps) {
      clearTimeout(pending.timer);
      pending.reject(new SleepCancelled('scheduler closed'));
    }
    this.sleeps.clear();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private scaled(realMs: number): number {
    return Math.max(0, realMs / this.speed);
  }
}
