// `/pve snapshot`: one snapshot of a guest (takeSnapshotStep), then the policy's retention of the
// bot's own snapshots of that guest (pruneBotSnapshotsStep) when the request carried `keep`. The
// result names the snapshot, says whether it holds the RAM and how long it took, and offers
// "Roll back" (a command the core puts through the policy like a typed one).
import { z } from 'zod';
import type { GuestResource } from '../../proxmox/schemas/cluster-schemas.js';
import { defineJobKind } from '../job-kind.js';
import { botSnapshotName, SNAPSHOT_KEEP_MAX } from '../snapshots/bot-snapshot-name.js';
import { SNAPSHOT_NAME_MAX } from '../snapshots/snapshot-name-rule.js';
import { describePruned, pruneBotSnapshotsStep } from '../steps/prune-bot-snapshots-step.js';
import { takeSnapshotStep } from '../steps/take-snapshot-step.js';
import { guestLabel, guestLock, guestTargetSchema, locateGuest } from './guest-target.js';

export const snapshotPayloadSchema = z.object({
  guest: guestTargetSchema,
  /** Absent: the bot's own name, chosen when the job starts (`chatops-YYYYMMDD-HHMMSS`, UTC). */
  name: z.string().min(2).max(SNAPSHOT_NAME_MAX).optional(),
  /** Include the RAM (QEMU; the core refuses it for a container). */
  vmstate: z.boolean().default(false),
  description: z.string().max(1000).optional(),
  /**
   * The policy's `snapshots.keep` when the request was made: after the snapshot, the bot's newest
   * `keep` snapshots of the guest stay and its older ones are deleted. Absent: none is deleted.
   */
  keep: z.number().int().min(1).max(SNAPSHOT_KEEP_MAX).optional(),
});

/** The command that rolls `guest` back to `snapshot`, short enough for any button (by vmid). */
export function rollbackCommand(guest: { vmid: number }, snapshot: string): string {
  return `rollback ${guest.vmid} ${snapshot}`;
}

export const snapshotKind = defineJobKind({
  name: 'snapshot',
  payload: snapshotPayloadSchema,
  locks: (payload) => [guestLock(payload.guest)],
  async run(ctx) {
    const { vmstate, description, keep } = ctx.payload;
    const guest = await ctx.memo<GuestResource>('guest', () =>
      locateGuest(ctx.pve, ctx.payload.guest, ctx.signal),
    );
    const label = guestLabel(guest);
    const name = await ctx.memo('name', async () => {
      if (ctx.payload.name !== undefined) return ctx.payload.name;
      // Two snapshots of one guest within a second (a safety net right after a manual one) would
      // share a name: the second gets `-2`, still the bot's form.
      const now = Date.now();
      const taken = new Set((await ctx.pve.snapshots(guest, ctx.signal)).snapshots.map((s) => s.name));
      for (let n = 1; ; n++) {
        const candidate = botSnapshotName(now, n === 1 ? undefined : String(n));
        if (!taken.has(candidate)) return candidate;
      }
    });
    const taken = await takeSnapshotStep(ctx, 'snapshot', guest, {
      name,
      vmstate,
      ...(description === undefined ? {} : { description }),
    });
    const pruned =
      keep === undefined ? undefined : await pruneBotSnapshotsStep(ctx, 'retention', guest, keep);
    const ram = taken.withRam
      ? 'with its RAM'
      : vmstate
        ? 'without RAM (the VM was not running)'
        : 'disks only';
    return {
      summary: `Snapshot \`${name}\` of ${label} taken, ${ram}, in ${taken.seconds} s`,
      ...(pruned && keep !== undefined && describePruned(pruned, keep).length > 0
        ? { text: describePruned(pruned, keep).join('\n') }
        : {}),
      upid: taken.upid,
      logTail: taken.logTail,
      details: {
        snapshot: name,
        withRam: taken.withRam,
        seconds: taken.seconds,
        vmid: guest.vmid,
        ...(pruned ? { retention: { deleted: pruned.deleted, failed: pruned.failed } } : {}),
      },
      offers: [{ label: 'Roll back', command: rollbackCommand(guest, name) }],
    };
  },
});
