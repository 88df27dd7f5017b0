import { setTimeout as sleep } from 'node:timers/promises';
import { getClusterResources, listClusterTasks } from './cluster-api.js';
import type { GuestRef } from './guest-ref.js';
import { parseUpid } from './parse-upid.js';
import { PveError, PveErrorCode } from './pve-error.js';
import type { PveTransport } from './pve-transport.js';
import type { GuestResource } from './schemas/cluster-schemas.js';
import { DEFAULT_POLL_INTERVAL, type PollInterval, type TaskProgress, waitForTask } from './wait-for-task.js';

export interface FollowHaMigrationOptions {
  /** The `hamigrate` UPID: the real migration task cannot have started before it. */
  haUpid: string;
  signal?: AbortSignal;
  /** Default 10 minutes: the HA stack may queue the migration behind others. */
  timeoutMs?: number;
  pollInterval?: PollInterval;
  onProgress?: (progress: TaskProgress) => void | Promise<void>;
}

export interface HaMigrationResult {
  guest: GuestResource;
  /** The real `qmigrate`/`vzmigrate` task the HA resource agent ran, when it was seen. */
  migrationUpid?: string;
}

// HA states meaning "still moving" (`HA/Manager.pm`); started/stopped mean it settled again.
const SETTLED = new Set(['started', 'stopped']);
const MIGRATION_TYPES = new Set(['qmigrate', 'vzmigrate']);

/**
 * For an HA-managed guest the API only runs `ha-manager migrate` in a `hamigrate` task that ends
 * OK at once; the CRM later has the target's LRM run the real migration as `root@pam`
 * ("task started by HA resource agent"). This follows that real task when it appears in
 * `/cluster/tasks` (for its progress and its error) and polls `/cluster/resources` until the
 * guest is on the target with a settled `hastate`.
 */
export async function followHaMigration(
  transport: PveTransport,
  guest: GuestRef,
  target: string,
  options: FollowHaMigrationOptions,
): Promise<HaMigrationResult> {
  const { signal } = options;
  const since = parseUpid(options.haUpid).starttime;
  const timeoutMs = options.timeoutMs ?? 600_000;
  const deadline = Date.now() + timeoutMs;
  const interval = options.pollInterval ?? DEFAULT_POLL_INTERVAL;
  let delay = interval.initialMs;
  let migrationUpid: string | undefined;

  for (;;) {
    const guests = await getClusterResources(transport, 'vm', signal);
    const current = guests.find((g) => g.vmid === guest.vmid);
    if (!current) {
      throw new PveError({
        code: PveErrorCode.ServerError,
        message: `guest ${guest.vmid} vanished during migration`,
        vmid: guest.vmid,
      });
    }
    if (current.node === target && SETTLED.has(current.hastate ?? 'started')) {
      return { guest: current, ...(migrationUpid ? { migrationUpid } : {}) };
    }
    if (current.hastate === 'error') {
      throw new PveError({
        code: PveErrorCode.TaskFailed,
        message: `HA resource of guest ${guest.vmid} went into the error state during migration`,
        vmid: guest.vmid,
        ...(migrationUpid ? { upid: migrationUpid } : {}),
      });
    }
    if (!migrationUpid) {
      const task = (await listClusterTasks(transport, signal))
        .filter(
          (t) => MIGRATION_TYPES.has(t.type) && t.id === String(guest.vmid) && (t.starttime ?? 0) >= since,
        )
        .sort((a, b) => (b.starttime ?? 0) - (a.starttime ?? 0))[0];
      if (task) {
        migrationUpid = task.upid;
        // Running or done: follow it for its progress and its error (PVE_TASK_FAILED with the
        // log tail); the loop then checks where the guest ended up.
        await waitForTask(transport, task.upid, {
          signal,
          pollInterval: interval,
          timeoutMs: remaining(deadline),
          ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        });
        delay = interval.initialMs;
        continue;
      }
    }
    if (Date.now() + delay > deadline) {
      throw new PveError({
        code: PveErrorCode.Timeout,
        message: `guest ${guest.vmid} did not arrive on ${target} within ${timeoutMs} ms (HA state: ${current.hastate ?? 'none'}, node: ${current.node})`,
        vmid: guest.vmid,
        ...(migrationUpid ? { upid: migrationUpid } : {}),
      });
    }
    try {
      await sleep(delay, undefined, signal ? { signal } : undefined);
    } catch (error) {
      throw new PveError({
        code: PveErrorCode.Aborted,
        message: `stopped following guest ${guest.vmid}`,
        cause: error,
      });
    }
    delay = Math.min(interval.maxMs, Math.round(delay * 1.5));
  }
}

function remaining(deadline: number): number {
  return Math.max(1, deadline - Date.now());
}
