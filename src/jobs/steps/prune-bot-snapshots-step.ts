// Snapshot retention as a job step, after the bot took a snapshot of a guest (`/pve snapshot`, the
// safety net): of the bot's own snapshots of that guest (bot-snapshot-name.ts), the newest `keep`
// stay and the others are deleted, oldest first. Never a snapshot whose name lacks the bot's form
// (a person's), and never the one the guest's current state descends from (its `parent`: the
// first place a rollback would go), even when it is older than the newest `keep`.
// Which ones go is decided once and kept in the job, and each delete is one task through
// ctx.runTask/ctx.watchTask, so a re-run resumes instead of deciding again. A delete PVE refuses
// (a replication needs the snapshot, the guest is locked) is reported, not fatal: the snapshot
// this retention follows was taken.
import { isPveError } from '../../proxmox/pve-error.js';
import { isTransientFailure } from '../classify-failure.js';
import type { JobContext } from '../job-context.js';
import { guestLabel } from '../kinds/guest-target.js';
import { botSnapshotTime, isBotSnapshot } from '../snapshots/bot-snapshot-name.js';
import type { SnapshotGuest } from './take-snapshot-step.js';

export interface RetentionPlan {
  /** The bot's snapshots kept, newest first. */
  kept: string[];
  /** To delete, oldest first. */
  delete: string[];
  /** Beyond `keep` but spared: the current state descends from it. */
  spared?: string;
}

export interface PrunedSnapshots extends RetentionPlan {
  deleted: string[];
  failed: Array<{ name: string; error: string }>;
}

/** What retention would do with this list (pure; exported for the tests and the safety net's plan). */
export function planRetention(
  snapshots: ReadonlyArray<{ name: string; takenAt: number | undefined }>,
  currentParent: string | undefined,
  keep: number,
): RetentionPlan {
  const takenAt = (s: { name: string; takenAt: number | undefined }) =>
    s.takenAt ?? (botSnapshotTime(s.name) ?? 0) / 1000;
  const bots = snapshots
    .filter((s) => isBotSnapshot(s.name))
    .sort((a, b) => takenAt(b) - takenAt(a) || b.name.localeCompare(a.name));
  const beyond = bots.slice(Math.max(0, keep));
  const spared = beyond.find((s) => s.name === currentParent)?.name;
  return {
    kept: bots.slice(0, Math.max(0, keep)).map((s) => s.name),
    delete: beyond
      .filter((s) => s.name !== spared)
      .map((s) => s.name)
      .reverse(),
    ...(spared === undefined ? {} : { spared }),
  };
}

export async function pruneBotSnapshotsStep(
  ctx: JobContext<unknown>,
  step: string,
  guest: SnapshotGuest,
  keep: number,
): Promise<PrunedSnapshots> {
  const label = guestLabel(guest);
  const plan = await ctx.memo<RetentionPlan>(`${step}:plan`, async () => {
    const list = await ctx.pve.snapshots(guest, ctx.signal);
    return planRetention(list.snapshots, list.currentParent, keep);
  });
  const deleted: string[] = [];
  const failed: PrunedSnapshots['failed'] = [];
  for (const [index, name] of plan.delete.entries()) {
    const outcome = await ctx.memo<{ ok: true } | { ok: false; error: string }>(
      `${step}:result:${name}`,
      async () => {
        try {
          const task = `${step}:delete:${name}`;
          const upid = await ctx.runTask(task, () => ctx.pve.deleteSnapshot(guest, name, ctx.signal), {
            types: [guest.type === 'qemu' ? 'qmdelsnapshot' : 'vzdelsnapshot'],
            vmid: guest.vmid,
          });
          await ctx.watchTask(
            task,
            upid,
            `retention (keep ${keep}): deleting ${name} of ${label}, ${index + 1} of ${plan.delete.length}`,
          );
          return { ok: true };
        } catch (error) {
          // The end of a slice, a cancel or a passing outage is not the delete's verdict.
          if (!isPveErrorVerdict(error)) throw error;
          return { ok: false, error: (error as Error).message };
        }
      },
    );
    if (outcome.ok) deleted.push(name);
    else failed.push({ name, error: outcome.error });
  }
  return { ...plan, deleted, failed };
}

/** PVE's own refusal (its words are worth reporting), as opposed to anything that should propagate. */
function isPveErrorVerdict(error: unknown): boolean {
  return isPveError(error) && !isTransientFailure(error);
}

/** The retention's lines for a result card; nothing when it had nothing to do. */
export function describePruned(pruned: PrunedSnapshots, keep: number): string[] {
  const lines: string[] = [];
  if (pruned.deleted.length > 0)
    lines.push(
      `Retention (the bot's newest ${keep} kept): deleted ${pruned.deleted.map((n) => `\`${n}\``).join(', ')}`,
    );
  for (const failure of pruned.failed)
    lines.push(`Retention could not delete \`${failure.name}\`: ${failure.error}`);
  if (pruned.spared)
    lines.push(`Retention kept \`${pruned.spared}\` although older: the current state descends from it`);
  return lines;
}
