import { followHaMigration, type HaMigrationResult } from './follow-ha-migration.js';
import { guestPath } from './guest-ref.js';
import { parseUpid } from './parse-upid.js';
import type { MigrationPlan } from './plan-migration.js';
import type { PveTransport } from './pve-transport.js';
import { upidSchema } from './schemas/guest-schemas.js';
import { type PollInterval, type TaskProgress, type TaskResult, waitForTask } from './wait-for-task.js';

/** Sends the migration chosen by `planMigration`; returns the UPID (`qmigrate`/`vzmigrate`/`hamigrate`). */
export function startMigration(
  transport: PveTransport,
  plan: MigrationPlan,
  signal?: AbortSignal,
): Promise<string> {
  return transport.request('POST', `${guestPath(plan.guest)}/migrate`, {
    params: plan.params,
    schema: upidSchema,
    signal,
  });
}

export interface WaitForMigrationOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  pollInterval?: PollInterval;
  onProgress?: (progress: TaskProgress) => void | Promise<void>;
}

export interface MigrationResult {
  task: TaskResult;
  /** Set for HA-managed guests: where the HA stack really put the guest. */
  ha?: HaMigrationResult;
}

/**
 * Waits until the migration really finished. When PVE answered with a `hamigrate` request (an
 * HA-managed guest), the guest is then followed until the HA stack put it on the target. That
 * is decided from the UPID PVE returned, not from the plan: an `ignored` HA resource shows a
 * `hastate` but is not HA-managed, and gets a plain `qmigrate`/`vzmigrate`. Safe to call again
 * with a stored plan and UPID after a restart.
 */
export async function waitForMigration(
  transport: PveTransport,
  plan: MigrationPlan,
  upid: string,
  options: WaitForMigrationOptions = {},
): Promise<MigrationResult> {
  const started = Date.now();
  const task = await waitForTask(transport, upid, options);
  if (parseUpid(upid).type !== 'hamigrate') return { task };
  const left =
    options.timeoutMs === undefined ? undefined : Math.max(1, options.timeoutMs - (Date.now() - started));
  const ha = await followHaMigration(transport, plan.guest, plan.target, {
    haUpid: upid,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(left === undefined ? {} : { timeoutMs: left }),
    ...(options.pollInterval ? { pollInterval: options.pollInterval } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  return { task, ha };
}
