// Guest snapshots as PVE lists them (qemu-server snapshot_list, pve-container Snapshot.pm list;
// test/conformance/pve/fixtures/snapshots). The list is in no particular order: the tree comes
// from `parent`. It always ends with the pseudo-entry `current` ("You are here!"), which has
// `running` and `digest` but no `snaptime`; a container's snapshots have no `vmstate` key.
import { z } from 'zod';
import { pveBool, pveInt, pveString } from './pve-values.js';

export const snapshotEntrySchema = z.looseObject({
  name: pveString,
  snaptime: pveInt.optional(),
  vmstate: pveBool.optional(),
  description: pveString.optional(),
  parent: pveString.optional(),
  /** `prepare` after a creation that failed half-way, `delete` after a failed delete. */
  snapstate: z.string().optional(),
  running: pveBool.optional(),
});
export const snapshotListSchema = z.array(snapshotEntrySchema);
export type SnapshotEntry = z.output<typeof snapshotEntrySchema>;

/**
 * A snapshot's stored section: the guest's config as it was, plus `snaptime`, `description`,
 * `parent` and, with RAM, `vmstate` (a volume id here, not a flag).
 */
export const snapshotConfigSchema = z.looseObject({
  snaptime: pveInt.optional(),
  description: pveString.optional(),
  parent: pveString.optional(),
  vmstate: pveString.optional(),
});
export type SnapshotConfig = z.output<typeof snapshotConfigSchema>;

/** The parts of a guest's config the snapshot and backup code reads (GET …/config). */
export const guestConfigSchema = z.looseObject({
  name: pveString.optional(),
  hostname: pveString.optional(),
  /** `snapshot`, `rollback`, `snapshot-delete`, `backup`, `migrate`…: an operation is under way. */
  lock: z.string().optional(),
  /** The snapshot the current state descends from. */
  parent: pveString.optional(),
  digest: z.string().optional(),
});
export type GuestConfig = z.output<typeof guestConfigSchema>;
