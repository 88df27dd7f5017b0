// `/pve snapshot delete <guest> <snapshot>`: one qmdelsnapshot/vzdelsnapshot task. PVE refuses an
// unknown snapshot, a locked guest or one a replication needs inside the task; its words are the
// job's error.
import { z } from 'zod';
import type { GuestResource } from '../../proxmox/schemas/cluster-schemas.js';
import { defineJobKind } from '../job-kind.js';
import { SNAPSHOT_NAME_MAX } from '../snapshots/snapshot-name-rule.js';
import { guestLabel, guestLock, guestTargetSchema, locateGuest } from './guest-target.js';

export const snapshotDeletePayloadSchema = z.object({
  guest: guestTargetSchema,
  snapshot: z.string().min(2).max(SNAPSHOT_NAME_MAX),
});

export const snapshotDeleteKind = defineJobKind({
  name: 'snapshot-delete',
  payload: snapshotDeletePayloadSchema,
  locks: (payload) => [guestLock(payload.guest)],
  async run(ctx) {
    const { snapshot: name } = ctx.payload;
    const guest = await ctx.memo<GuestResource>('guest', () =>
      locateGuest(ctx.pve, ctx.payload.guest, ctx.signal),
    );
    const label = guestLabel(guest);
    const upid = await ctx.runTask('delete', () => ctx.pve.deleteSnapshot(guest, name, ctx.signal), {
      types: [guest.type === 'qemu' ? 'qmdelsnapshot' : 'vzdelsnapshot'],
      vmid: guest.vmid,
    });
    const task = await ctx.watchTask('delete', upid, `deleting snapshot ${name} of ${label}`);
    return {
      summary: `Snapshot \`${name}\` of ${label} deleted`,
      upid,
      logTail: task.logTail,
      details: { snapshot: name },
    };
  },
});
