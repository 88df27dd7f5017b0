// Waits for a condition read from PVE, polling: the node came back, the HA stack moved its
// guests. A read that fails (the node is rebooting, pveproxy restarts) counts as "not yet".
import { setTimeout as sleep } from 'node:timers/promises';
import { JobError, JobErrorCode } from '../job-error.js';

export interface PollUntilOptions {
  signal: AbortSignal;
  intervalMs: number;
  timeoutMs: number;
  /** For the timeout message: "node02 to come back after its reboot". */
  what: string;
}

export async function pollUntil<T>(
  check: () => Promise<T | undefined>,
  options: PollUntilOptions,
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    options.signal.throwIfAborted();
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() >= deadline) {
      throw new JobError(
        JobErrorCode.UpgradeFailed,
        `gave up waiting for ${options.what} after ${Math.round(options.timeoutMs / 1000)} s`,
      );
    }
    await sleep(options.intervalMs, undefined, { signal: options.signal });
  }
}
