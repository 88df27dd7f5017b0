// Waits for a condition read from PVE, polling: the node came back, the HA stack moved its
// guests. A read that fails (the node is rebooting, pveproxy restarts) counts as "not yet".
import { setTimeout as sleep } from 'node:timers/promises';
import type { JobContext } from '../job-context.js';
import { JobError, JobErrorCode } from '../job-error.js';

/** The deadline of a named wait, fixed the first time the job reaches it. */
export function deadlineOf(ctx: JobContext<unknown>, wait: string, timeoutMs: number): Promise<number> {
  return ctx.memo(`deadline:${wait}`, async () => Date.now() + timeoutMs);
}

export interface PollUntilOptions {
  signal: AbortSignal;
  intervalMs: number;
  /**
   * When to give up (epoch ms). Absolute, and kept by the job (deadlineOf): a wait resumed by the
   * next slice or another worker keeps its original deadline instead of starting a new one.
   */
  deadline?: number;
  /** Relative, from this call: only for waits that never span two slices. */
  timeoutMs?: number;
  /** For the timeout message: "node02 to come back after its reboot". */
  what: string;
}

export async function pollUntil<T>(
  check: () => Promise<T | undefined>,
  options: PollUntilOptions,
): Promise<T> {
  const deadline = options.deadline ?? Date.now() + (options.timeoutMs ?? Number.POSITIVE_INFINITY);
  for (;;) {
    options.signal.throwIfAborted();
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() >= deadline) {
      throw new JobError(
        JobErrorCode.UpgradeFailed,
        `gave up waiting for ${options.what} (the deadline was ${new Date(deadline).toISOString().slice(11, 19)} UTC)`,
      );
    }
    await sleep(options.intervalMs, undefined, { signal: options.signal });
  }
}
