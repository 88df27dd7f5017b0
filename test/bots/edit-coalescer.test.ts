// Edits in place within rate limits: one write at a time, one per interval, newest wins, finals kept.
import { describe, expect, it } from 'vitest';
import { EditCoalescer, type Timer } from '../../src/bots/edit-coalescer.js';

class FakeTimer implements Timer {
  time = 0;
  #timers: Array<{ at: number; fn: () => void; id: number }> = [];
  #next = 1;
  now = () => this.time;
  setTimeout = (fn: () => void, ms: number) => {
    const id = this.#next++;
    this.#timers.push({ at: this.time + ms, fn, id });
    return id;
  };
  clearTimeout = (id: unknown) => {
    this.#timers = this.#timers.filter((t) => t.id !== id);
  };
  get pending() {
    return this.#timers.length;
  }
  /** Moves time on, firing due timers in order, and lets the writes they start settle. */
  async advance(ms: number) {
    const until = this.time + ms;
    for (;;) {
      await settle();
      const due = this.#timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.#timers = this.#timers.filter((t) => t !== due);
      this.time = due.at;
      due.fn();
    }
    this.time = until;
    await settle();
  }
}

const settle = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

interface Version {
  text: string;
  final?: boolean;
}

function setup(options: { fail?: (n: number) => unknown; hold?: boolean } = {}) {
  const timer = new FakeTimer();
  const writes: Array<{ key: string; text: string; ref: string | undefined; at: number }> = [];
  const errors: unknown[] = [];
  const held: Array<() => void> = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const coalescer = new EditCoalescer<Version, string>({
    intervalMs: 2_000,
    timer,
    isFinal: (v) => v.final === true,
    retryable: (error) => (error as { code?: string }).code === 'rate_limited',
    onError: (_key, error) => errors.push(error),
    write: async (key, content, ref) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      writes.push({ key, text: content.text, ref, at: timer.now() });
      try {
        if (options.hold) await new Promise<void>((resolve) => held.push(resolve));
        const failure = options.fail?.(writes.length);
        if (failure) throw failure;
        return ref ?? `ts-${key}`;
      } finally {
        inFlight--;
      }
    },
  });
  return { coalescer, timer, writes, errors, held, maxInFlight: () => maxInFlight };
}

describe('EditCoalescer', () => {
  it('posts the first version at once and the caller waits for it', async () => {
    const { coalescer, writes } = setup();
    await coalescer.submit('job:1', { text: 'queued' });
    expect(writes).toEqual([{ key: 'job:1', text: 'queued', ref: undefined, at: 0 }]);
  });

  it('edits at most once per interval, with the newest version', async () => {
    const { coalescer, timer, writes } = setup();
    await coalescer.submit('job:1', { text: '0%' });
    for (const text of ['10%', '20%', '30%']) await coalescer.submit('job:1', { text });
    expect(writes).toHaveLength(1);
    await timer.advance(1_999);
    expect(writes).toHaveLength(1);
    await timer.advance(1);
    expect(writes.map((w) => [w.text, w.ref, w.at])).toEqual([
      ['0%', undefined, 0],
      ['30%', 'ts-job:1', 2_000],
    ]);
    await timer.advance(10_000);
    expect(writes).toHaveLength(2);
  });

  it('edits at once when the interval has already passed', async () => {
    const { coalescer, timer, writes } = setup();
    await coalescer.submit('job:1', { text: '0%' });
    await timer.advance(5_000);
    await coalescer.submit('job:1', { text: '50%' });
    await settle();
    expect(writes.map((w) => [w.text, w.at])).toEqual([
      ['0%', 0],
      ['50%', 5_000],
    ]);
  });

  it('never lets a stale running version replace a final one', async () => {
    const { coalescer, timer, writes } = setup();
    await coalescer.submit('job:1', { text: '90%' });
    await coalescer.submit('job:1', { text: 'succeeded', final: true });
    await coalescer.submit('job:1', { text: '95%' });
    await timer.advance(2_000);
    await coalescer.submit('job:1', { text: '99%' });
    await timer.advance(10_000);
    expect(writes.map((w) => w.text)).toEqual(['90%', 'succeeded']);
  });

  it('writes one version at a time per message, and messages independently', async () => {
    const { coalescer, timer, writes, held, maxInFlight } = setup({ hold: true });
    const first = coalescer.submit('job:1', { text: 'a1' });
    void coalescer.submit('job:2', { text: 'b1' });
    await settle();
    expect(writes.map((w) => w.text)).toEqual(['a1', 'b1']);
    await coalescer.submit('job:1', { text: 'a2', final: true });
    await timer.advance(5_000);
    expect(writes).toHaveLength(2);
    held.shift()!();
    await first;
    await timer.advance(0);
    expect(writes.map((w) => w.text)).toEqual(['a1', 'b1', 'a2']);
    expect(writes[2]!.ref).toBe('ts-job:1');
    held.splice(0).forEach((release) => {
      release();
    });
    await coalescer.idle();
    expect(maxInFlight()).toBe(2);
  });

  it('retries a rate-limited final edit one interval later instead of dropping it', async () => {
    const { coalescer, timer, writes, errors } = setup({
      fail: (n) => (n === 2 ? Object.assign(new Error('429'), { code: 'rate_limited' }) : undefined),
    });
    await coalescer.submit('job:1', { text: 'running' });
    await timer.advance(2_000);
    await coalescer.submit('job:1', { text: 'failed', final: true });
    await timer.advance(1_999);
    expect(writes.map((w) => w.text)).toEqual(['running', 'failed']);
    await timer.advance(1);
    expect(writes.map((w) => [w.text, w.at])).toEqual([
      ['running', 0],
      ['failed', 2_000],
      ['failed', 4_000],
    ]);
    expect(errors).toEqual([]);
  });

  it('reports an error that is not worth retrying, and gives up after maxAttempts', async () => {
    const notFound = Object.assign(new Error('message_not_found'), { code: 'platform' });
    const { coalescer, timer, errors } = setup({ fail: (n) => (n >= 2 ? notFound : undefined) });
    await coalescer.submit('job:1', { text: 'running' });
    await timer.advance(2_000);
    await coalescer.submit('job:1', { text: 'done', final: true });
    await timer.advance(10_000);
    expect(errors).toEqual([notFound]);

    const limited = Object.assign(new Error('429'), { code: 'rate_limited' });
    const always = setup({ fail: () => limited });
    await always.coalescer.submit('job:2', { text: 'x', final: true });
    await always.timer.advance(60_000);
    expect(always.writes).toHaveLength(3);
    expect(always.errors).toEqual([limited]);
  });

  it('only edits a message posted elsewhere when given its ref', async () => {
    const { coalescer, writes } = setup();
    await coalescer.submit('request', { text: '✅', final: true }, '1700.0001');
    await coalescer.idle();
    expect(writes).toEqual([{ key: 'request', text: '✅', ref: '1700.0001', at: 0 }]);
  });

  it('writes what is waiting at once when drained (shutdown)', async () => {
    const { coalescer, timer, writes } = setup();
    await coalescer.submit('job:1', { text: 'running' });
    await coalescer.submit('job:1', { text: 'done', final: true });
    expect(timer.pending).toBe(1);
    await coalescer.drain();
    expect(writes.map((w) => [w.text, w.at])).toEqual([
      ['running', 0],
      ['done', 0],
    ]);
    expect(timer.pending).toBe(0);
  });

  it('forgets messages idle for forgetAfterMs', async () => {
    const timer = new FakeTimer();
    const coalescer = new EditCoalescer<Version, string>({
      intervalMs: 0,
      timer,
      forgetAfterMs: 1_000,
      isFinal: () => false,
      write: async (key, _content, ref) => ref ?? key,
    });
    await coalescer.submit('a', { text: '1' });
    expect(coalescer.size).toBe(1);
    await timer.advance(1_000);
    await coalescer.submit('b', { text: '1' });
    expect(coalescer.size).toBe(1);
  });
});
