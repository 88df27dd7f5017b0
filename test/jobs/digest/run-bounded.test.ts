import { describe, expect, it } from 'vitest';
import { runBounded } from '../../../src/jobs/digest/run-bounded.js';

/** A job that stays in flight until released, so the test sees how many run at once. */
function gate() {
  let open = (): void => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

describe('runBounded', () => {
  it('keeps at most `limit` jobs in flight and runs them all', async () => {
    const gates = Array.from({ length: 10 }, gate);
    let inFlight = 0;
    let most = 0;
    const started: number[] = [];
    const done = runBounded(
      gates.map((g, i) => async () => {
        started.push(i);
        inFlight += 1;
        most = Math.max(most, inFlight);
        await g.opened;
        inFlight -= 1;
      }),
      3,
    );
    for (const g of gates) {
      await Promise.resolve();
      g.open();
    }
    await done;
    expect(most).toBe(3);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('stops taking work once aborted', async () => {
    const controller = new AbortController();
    const ran: number[] = [];
    const work = [0, 1, 2].map((i) => async () => {
      ran.push(i);
      controller.abort();
    });
    await expect(runBounded(work, 1, controller.signal)).rejects.toThrow();
    expect(ran).toEqual([0]);
  });
});
