// `/pve rollback <guest> <snapshot>`: back to a snapshot. The snapshot is checked again when the
// job runs (the request may have waited for its approval), then one qmrollback/vzrollback task.
// PVE stops a running QEMU guest first; a snapshot with RAM comes back running, and `start` starts
// the guest afterwards otherwise. The result says how the guest is now.
import { z } from 'zod';
import type { GuestResource } from '../../proxmox/schemas/cluster-schemas.js';
import { JobError, JobErrorCode } from '../job-error.js';
import { defineJobKind } from '../job-kind.js';
import { SNAPSHOT_NAME_MAX } from '../snapshots/snapshot-name-rule.js';
import { utcMinute } from '../snapshots/snapshot-tree.js';
import { guestLabel, guestLock, guestTargetSchema, locateGuest } from './guest-target.js';

export const rollbackPayloadSchema = z.object({
  guest: guestTargetSchema,
  snapshot: z.string().min(2).max(SNAPSHOT_NAME_MAX),
  /** Start the guest after the rollback (a snapshot with RAM resumes without it). */
  start: z.boolean().default(false),
});

export const rollbackKind = defineJobKind({
  name: 'rollback',
  payload: rollbackPayloadSchema,
  locks: (payload) => [guestLock(payload.guest)],
  // The state a rollback throws away is kept first, so the rollback itself can be undone.
  guestsAtRisk: (payload) => [payload.guest],
  async run(ctx) {
    const { snapshot: name, start } = ctx.payload;
    const guest = await ctx.memo<GuestResource>('guest', () =>
      locateGuest(ctx.pve, ctx.payload.guest, ctx.signal),
    );
    const label = guestLabel(guest);
    const found = await ctx.memo('check', async () => {
      const list = await ctx.pve.snapshots(guest, ctx.signal);
      const snapshot = list.snapshots.find((s) => s.name === name);
      if (!snapshot) {
        const names = list.snapshots.map((s) => `\`${s.name}\``).join(', ');
        throw new JobError(
          JobErrorCode.Stale,
          `${label} has no snapshot '${name}' any more${names ? ` (it has ${names})` : ' (it has none)'}; nothing was rolled back`,
        );
      }
      return { takenAt: snapshot.takenAt ?? null, withRam: snapshot.withRam };
    });
    const upid = await ctx.runTask(
      'rollback',
      () => ctx.pve.rollbackSnapshot(guest, name, start ? { start } : {}, ctx.signal),
      { types: [guest.type === 'qemu' ? 'qmrollback' : 'vzrollback'], vmid: guest.vmid },
    );
    const task = await ctx.watchTask('rollback', upid, `rolling ${label} back to ${name}`);
    const running = await ctx.memo(
      'running',
      async () => (await ctx.pve.snapshots(guest, ctx.signal)).running,
    );
    const taken = found.takenAt === null ? '' : ` (taken ${utcMinute(found.takenAt)})`;
    return {
      summary: `${label} rolled back to \`${name}\`${taken}; it is ${running ? 'running' : 'stopped'}`,
      upid,
      logTail: task.logTail,
      details: { snapshot: name, running, withRam: found.withRam },
    };
  },
});
