// Migrating one guest as a job step, the same way for /pve migrate, a balance plan's moves and a
// rolling upgrade's drain and return: locate the guest and plan (PVE's own precondition), start
// one migration task, follow it, and for an HA-managed guest follow the HA stack until the guest
// settled on the target. Every stage is kept in the job's state (the plan in a memo, the UPID by
// ctx.runTask before any wait, the waits by ctx.watchTask / ctx.watch), so a worker that dies or a
// slice that ends resumes the same migration instead of starting a second one.
import type { HaMigrationResult } from '../../proxmox/follow-ha-migration.js';
import { parseUpid } from '../../proxmox/parse-upid.js';
import type { MigrationPlan } from '../../proxmox/plan-migration.js';
import { isTaskSuccess } from '../../proxmox/task-api.js';
import type { TaskResult } from '../../proxmox/wait-for-task.js';
import type { JobContext } from '../job-context.js';
import { JobError, type JobErrorCode } from '../job-error.js';
import { guestLabel } from '../kinds/guest-target.js';

export interface MigratingGuest {
  vmid: number;
  type: 'qemu' | 'lxc';
  /** Where the guest is expected to be now: the migration's source. */
  node: string;
  name?: string | undefined;
}

export interface MigrateGuestOptions {
  /** `offline` refuses a running guest; `auto` and `online` migrate it live where PVE can. */
  mode?: 'auto' | 'online' | 'offline';
  /**
   * When the guest is no longer on `guest.node`: `refuse` (the request no longer stands; the
   * default) or `migrate` it from wherever it is now.
   */
  elsewhere?: 'refuse' | 'migrate';
  /** The JobError code when the guest is gone, elsewhere, running for an offline mode, or the task failed. */
  errorCode: JobErrorCode;
  /** Put before each progress text, e.g. `move 2 of 5: `. */
  phasePrefix?: string;
  /**
   * The names the plan and the HA wait are kept under, default `<step>:plan` and `<step>`; a kind
   * keeps the names it used before, so its jobs already running resume where they were.
   */
  names?: { plan?: string; haWait?: string };
}

export type MigrateGuestOutcome =
  /** The guest was on the target already when the step began: nothing was started. */
  | { status: 'already'; node: string }
  | {
      status: 'migrated';
      plan: MigrationPlan;
      upid: string;
      task: TaskResult;
      /** For an HA-managed guest: where the HA stack put it. */
      ha?: HaMigrationResult;
    };

// What the plan memo holds (the same shape /pve migrate always stored under `plan`).
type StoredPlan = (MigrationPlan & { already?: false }) | { already: true; node: string };

/** `live`, `offline` or `restart mode`, and `, with local disks`: how PVE was asked to do it. */
export function describeMigration(plan: MigrationPlan): string {
  const how = plan.online ? 'live' : plan.restart ? 'restart mode' : 'offline';
  return `${how}${plan.withLocalDisks ? ', with local disks' : ''}`;
}

/**
 * Migrates `guest` to `target` once per job under `step`. The task's end is judged by one rule,
 * PVE's own (`isTaskSuccess`: `OK` or `WARNINGS: n`); a failed task throws its PveError
 * (PVE_TASK_FAILED, with the log tail), a failed HA migration the HA follower's.
 */
export async function migrateGuestStep(
  ctx: JobContext<unknown>,
  step: string,
  guest: MigratingGuest,
  target: string,
  options: MigrateGuestOptions,
): Promise<MigrateGuestOutcome> {
  const { errorCode, mode = 'auto', elsewhere = 'refuse', phasePrefix = '' } = options;
  const label = guestLabel(guest);
  const plan = await ctx.memo<StoredPlan>(options.names?.plan ?? `${step}:plan`, async () => {
    const current = (await ctx.pve.clusterResources('vm', ctx.signal)).find((g) => g.vmid === guest.vmid);
    if (!current) throw new JobError(errorCode, `${label} no longer exists in the cluster`);
    if (current.node === target) return { already: true, node: current.node };
    if (current.node !== guest.node && elsewhere === 'refuse') {
      throw new JobError(
        errorCode,
        `${guestLabel(current)} moved from ${guest.node} to ${current.node} since the request; ask again`,
      );
    }
    const planned = await ctx.pve.planMigration(current, target, {
      ...(current.hastate === undefined ? {} : { hastate: current.hastate }),
      signal: ctx.signal,
    });
    if (mode === 'offline' && planned.running) {
      throw new JobError(
        errorCode,
        `${guestLabel(current)} is running: an offline migration needs it stopped first (or migrate it live)`,
      );
    }
    return planned;
  });
  if (plan.already) return { status: 'already', node: plan.node };

  const what = `migrating ${label} ${plan.guest.node} → ${target}, ${describeMigration(plan)}`;
  const upid = await ctx.runTask(step, () => ctx.pve.startMigration(plan, ctx.signal), {
    types: [plan.guest.type === 'qemu' ? 'qmigrate' : 'vzmigrate', 'hamigrate'],
    vmid: plan.guest.vmid,
  });
  const task = await ctx.watchTask(step, upid, `${phasePrefix}${what}`);
  // watchTask only returns a success (waitForTask throws PVE_TASK_FAILED otherwise); the same
  // rule stands here so that no caller judges an exit status by a stricter one of its own.
  if (!isTaskSuccess(task.exitstatus)) throw new JobError(errorCode, `${what} failed: ${task.exitstatus}`);
  // PVE says whether the HA stack moves the guest: it answers with a hamigrate task then (an
  // `ignored` HA resource gets a plain migration), so the UPID decides, not the plan's forecast.
  if (parseUpid(upid).type !== 'hamigrate') return { status: 'migrated', plan, upid, task };
  const ha = await ctx.watch(
    options.names?.haWait ?? step,
    `${phasePrefix}waiting for the HA stack to move ${label} to ${target}`,
    (signal) => ctx.pve.followHaMigration(plan.guest, target, { haUpid: upid, signal }),
  );
  return { status: 'migrated', plan, upid, task, ha };
}
