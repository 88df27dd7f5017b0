import { setTimeout as sleep } from 'node:timers/promises';
import { getClusterResources, listClusterTasks } from './cluster-api.js';
import type { GuestRef } from './guest-ref.js';
import { parseUpid } from './parse-upid.js';
import { PveError, PveErrorCode } from './pve-error.js';
import type { PveTransport } from './pve-transport.js';
import type { GuestResource } from './schemas/cluster-schemas.js';
import { TransientErrorBudget } from './transient-poll-error.js';
import { DEFAULT_POLL_INTERVAL, type PollInterval, type TaskProgress, waitForTask } from './wait-for-task.js';

export interface FollowHaMigrationOptions {
  /** The `hamigrate` UPID: the real migration task cannot have started before it. */
  haUpid: string;
  signal?: AbortSignal;
  /** Default 10 minutes: the HA stack may queue the migration behind others. */
  timeoutMs?: number;
  pollInterval?: PollInterval;
  onProgress?: (progress: TaskProgress) => void | Promise<void>;
  /**
   * How long the HA stack may take to start the migration (the guest's HA state leaves its
   * settled state on the source, or a `qmigrate`/`vzmigrate` task appears) before this gives up
   * with PVE_MIGRATION_BLOCKED. Default 30 s: three CRM rounds.
   */
  haStartTimeoutMs?: number;
}

export interface HaMigrationResult {
  guest: GuestResource;
  /** The real `qmigrate`/`vzmigrate` task the HA resource agent ran, when it was seen. */
  migrationUpid?: string;
}

// HA states meaning "still moving" (`HA/Manager.pm`); started/stopped mean it settled again.
const SETTLED = new Set(['started', 'stopped']);
const MIGRATION_TYPES = new Set(['qmigrate', 'vzmigrate']);
// Three CRM rounds (10 s each): the CRM picks a migration request up in its next round.
const DEFAULT_HA_START_TIMEOUT_MS = 30_000;

/**
 * For an HA-managed guest the API only runs `ha-manager migrate` in a `hamigrate` task that ends
 * OK at once; the CRM later has the target's LRM run the real migration as `root@pam`
 * ("task started by HA resource agent"). This follows that real task when it appears in
 * `/cluster/tasks` (for its progress and its error) and polls `/cluster/resources` until the
 * guest is on the target with a settled `hastate`. Rides out short blips like `waitForTask`
 * (up to 5 connection errors, 595s, timeouts or pmxcfs 500s in a row; never a 401), and gives up with
 * PVE_MIGRATION_BLOCKED when the HA stack has not started the migration after `haStartTimeoutMs`.
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
  const haStartTimeoutMs = options.haStartTimeoutMs ?? DEFAULT_HA_START_TIMEOUT_MS;
  const followed = Date.now();
  const deadline = followed + timeoutMs;
  const interval = options.pollInterval ?? DEFAULT_POLL_INTERVAL;
  let delay = interval.initialMs;
  let migrationUpid: string | undefined;
  let haStarted = false;
  const errors = new TransientErrorBudget();
  let last: GuestResource | undefined;

  for (;;) {
    try {
      const current = await findGuest(transport, guest, signal);
      last = current;
      errors.succeeded();
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
      // Still settled where it was: the CRM has not acted on the request yet.
      if (current.node !== guest.node || !SETTLED.has(current.hastate ?? 'started')) haStarted = true;
      if (!migrationUpid) {
        const task = await findMigrationTask(transport, guest, since, signal);
        if (task) {
          migrationUpid = task;
          haStarted = true;
          // Running or done: follow it for its progress and its error (PVE_TASK_FAILED with the
          // log tail); the loop then checks where the guest ended up.
          await waitForTask(transport, task, {
            signal,
            pollInterval: interval,
            timeoutMs: remaining(deadline),
            ...(options.onProgress ? { onProgress: options.onProgress } : {}),
          });
          delay = interval.initialMs;
          continue;
        }
      }
      if (!haStarted && Date.now() - followed >= haStartTimeoutMs) {
        throw new PveError({
          code: PveErrorCode.MigrationBlocked,
          message: `the HA stack did not start the migration of guest ${guest.vmid} to ${target} within ${haStartTimeoutMs} ms (HA state: ${current.hastate ?? 'none'} on ${current.node}); check the HA rules/groups and \`ha-manager status\``,
          vmid: guest.vmid,
          reasons: ['the HA stack did not start the migration'],
          upid: options.haUpid,
        });
      }
    } catch (error) {
      if (signal?.aborted) throw aborted(guest, error);
      errors.absorb(error);
    }
    if (Date.now() + delay > deadline) {
      throw new PveError({
        code: PveErrorCode.Timeout,
        message: `guest ${guest.vmid} did not arrive on ${target} within ${timeoutMs} ms (HA state: ${last?.hastate ?? 'none'}, node: ${last?.node ?? 'unknown'})`,
        vmid: guest.vmid,
        ...(migrationUpid ? { upid: migrationUpid } : {}),
      });
    }
    try {
      await sleep(delay, undefined, signal ? { signal } : undefined);
    } catch (error) {
      throw aborted(guest, error);
    }
    delay = Math.min(interval.maxMs, Math.round(delay * 1.5));
  }
}

async function findGuest(
  transport: PveTransport,
  guest: GuestRef,
  signal: AbortSignal | undefined,
): Promise<GuestResource> {
  const guests = await getClusterResources(transport, 'vm', signal);
  const current = guests.find((g) => g.vmid === guest.vmid);
  if (!current) {
    throw new PveError({
      code: PveErrorCode.ServerError,
      message: `guest ${guest.vmid} vanished during migration`,
      vmid: guest.vmid,
    });
  }
  return current;
}

/** The newest real migration task of the guest started no earlier than the `hamigrate` request. */
async function findMigrationTask(
  transport: PveTransport,
  guest: GuestRef,
  since: number,
  signal: AbortSignal | undefined,
): Promise<string | undefined> {
  return (await listClusterTasks(transport, signal))
    .filter((t) => MIGRATION_TYPES.has(t.type) && t.id === String(guest.vmid) && (t.starttime ?? 0) >= since)
    .sort((a, b) => (b.starttime ?? 0) - (a.starttime ?? 0))[0]?.upid;
}

function aborted(guest: GuestRef, cause: unknown): PveError {
  return new PveError({
    code: PveErrorCode.Aborted,
    message: `stopped following guest ${guest.vmid}`,
    cause,
  });
}

function remaining(deadline: number): number {
  return Math.max(1, deadline - Date.now());
}
