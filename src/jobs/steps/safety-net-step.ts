// The safety net: before a job puts guests at risk (a rollback, a migration, a stop, the reboot of
// their node in a rolling upgrade), the bot snapshots each of them, when the request asked for it
// (JobData.safetyNet: the policy's `snapshots.before`, or `--snapshot`). The snapshots carry the
// bot's name with the reason (`chatops-20261207-020000-upgrade`), so retention (the bot's newest
// `keep` per guest) and `/pve snapshots` know them; each is one durable step, so a worker that dies
// resumes instead of snapshotting twice. A snapshot PVE refuses stops the job before anything at
// risk happens: the net was asked for, so going on without it is not the job's call. Templates
// are skipped (PVE refuses to snapshot them, and nothing runs on them). What was taken is kept in
// the job (SAFETY_NET_MEMO), and the worker offers "Roll back" for each on the result card,
// whether the job then succeeded or failed.
import { isTransientFailure } from '../classify-failure.js';
import type { JobContext } from '../job-context.js';
import { JobError, JobErrorCode } from '../job-error.js';
import { type GuestTarget, guestLabel, locateGuest } from '../kinds/guest-target.js';
import { botSnapshotName } from '../snapshots/bot-snapshot-name.js';
import { describePruned, pruneBotSnapshotsStep } from './prune-bot-snapshots-step.js';
import { takeSnapshotStep } from './take-snapshot-step.js';

/** Where the job keeps the safety net's snapshots (in its memo), for the result card's offers. */
export const SAFETY_NET_MEMO = 'safety-net:taken';

export interface SafetySnapshot {
  vmid: number;
  type: 'qemu' | 'lxc';
  /** How people name the guest: `TestVM (qemu/100)`. */
  label: string;
  /** The guest's name or vmid, as a typed `/pve rollback` takes it. */
  ref: string;
  snapshot: string;
  /** Retention's lines (deleted, spared), if it did anything. */
  retention: string[];
}

/**
 * Snapshots each guest (when the job's request asked for the safety net) and returns what it
 * took, in order. `reason` says before what (`upgrade of node01`, `rollback`); its first word ends
 * the snapshot names (`chatops-20261207-020000-upgrade`).
 * `step` must be unique within the job (an upgrade calls it once per node).
 */
export async function safetyNetStep(
  ctx: JobContext<unknown>,
  step: string,
  guests: readonly GuestTarget[],
  reason: string,
): Promise<SafetySnapshot[]> {
  const net = ctx.safetyNet;
  if (!net || guests.length === 0) return [];
  // One name for the whole step, chosen once: a re-run after a crash uses the same.
  const name = await ctx.memo(`${step}:name`, async () => botSnapshotName(Date.now(), shortReason(reason)));
  const taken: SafetySnapshot[] = [];
  for (const [index, target] of guests.entries()) {
    const outcome = await ctx.memo<SafetySnapshot | null>(`${step}:${target.vmid}`, async () => {
      const guest = await locateGuest(ctx.pve, target, ctx.signal);
      if (guest.template) return null;
      const label = guestLabel(guest);
      try {
        await takeSnapshotStep(ctx, `${step}:${guest.vmid}:take`, guest, {
          name,
          description: `pve-chatops safety net before ${reason} (job ${ctx.jobId}, asked by ${ctx.requestedBy})`,
          phasePrefix: `safety net, guest ${index + 1} of ${guests.length}: `,
        });
      } catch (error) {
        if (ctx.signal.aborted || isTransientFailure(error)) throw error;
        const why = error instanceof Error ? error.message : String(error);
        throw new JobError(
          JobErrorCode.SafetyNetFailed,
          `The safety net could not snapshot ${label} before ${reason}, so nothing else was done: ${why}`,
        );
      }
      const retention =
        net.keep === undefined
          ? []
          : describePruned(
              await pruneBotSnapshotsStep(ctx, `${step}:${guest.vmid}:retention`, guest, net.keep),
              net.keep,
            );
      return {
        vmid: guest.vmid,
        type: guest.type,
        label,
        ref: guest.name ?? String(guest.vmid),
        snapshot: name,
        retention,
      };
    });
    if (outcome) taken.push(outcome);
  }
  const all = [...(ctx.recall<SafetySnapshot[]>(SAFETY_NET_MEMO) ?? [])];
  for (const snapshot of taken)
    if (!all.some((s) => s.vmid === snapshot.vmid && s.snapshot === snapshot.snapshot)) all.push(snapshot);
  await ctx.forget(SAFETY_NET_MEMO);
  await ctx.memo(SAFETY_NET_MEMO, async () => all);
  return taken;
}

/** A snapshot name's reason part: the reason's first word (`upgrade of node01` → `upgrade`), at most 16 characters. */
function shortReason(reason: string): string {
  const cleaned = (reason.split(' ')[0] ?? '')
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 16)
    .replace(/-+$/, '');
  return cleaned === '' ? 'safety' : cleaned;
}
