// `/pve snapshots <guest>`: the guest's snapshots as PVE's tree (snapshot-tree.ts): indented by
// parent, dated (UTC), which hold the RAM, which the bot took, and where the current state is.
import { z } from 'zod';
import { defineJobKind } from '../job-kind.js';
import { isBotSnapshot } from '../snapshots/bot-snapshot-name.js';
import { renderSnapshotTree } from '../snapshots/snapshot-tree.js';
import { guestLabel, guestTargetSchema, locateGuest } from './guest-target.js';

export const snapshotsPayloadSchema = z.object({ guest: guestTargetSchema });

export const snapshotsKind = defineJobKind({
  name: 'snapshots',
  payload: snapshotsPayloadSchema,
  async run(ctx) {
    const guest = await locateGuest(ctx.pve, ctx.payload.guest, ctx.signal);
    const label = guestLabel(guest);
    const list = await ctx.pve.snapshots(guest, ctx.signal);
    const count = list.snapshots.length;
    const bots = list.snapshots.filter((s) => isBotSnapshot(s.name)).length;
    if (count === 0)
      return {
        summary: `${label} has no snapshots`,
        text: `\`snapshot ${guest.name ?? guest.vmid}\` takes one.`,
        details: { snapshots: [] },
      };
    return {
      summary: `${count} snapshot${count === 1 ? '' : 's'} of ${label}${bots > 0 ? `, ${bots} by the bot` : ''}`,
      text: renderSnapshotTree(list),
      details: {
        snapshots: list.snapshots.map((s) => s.name),
        ...(list.currentParent === undefined ? {} : { currentParent: list.currentParent }),
      },
    };
  },
});
