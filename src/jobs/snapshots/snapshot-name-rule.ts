// What PVE accepts as a snapshot name, checked before anything runs so a bad name gets a clear
// answer instead of a 400 from PVE. `snapname` is a `pve-configid` (pve-common
// PVE/JSONSchema.pm: `^[a-z][a-z0-9_-]+$`, case-insensitive) of at most 40 characters; `current`
// and `pending` are reserved for QEMU guests, `current` and `vzdump` for containers
// (qemu-server API2/Qemu.pm, pve-container API2/LXC/Snapshot.pm).

export const SNAPSHOT_NAME_MAX = 40;
const SNAPSHOT_NAME = /^[a-z][a-z0-9_-]+$/i;

/** Reserved by PVE, whatever the case. */
export const RESERVED_SNAPSHOT_NAMES = ['current', 'pending', 'vzdump'] as const;

/** The rule in words, for refusals. */
export const SNAPSHOT_NAME_RULE = `a snapshot name (a letter, then letters, digits, '_' and '-'; 2 to ${SNAPSHOT_NAME_MAX} characters)`;

/** Whether `name` has the form PVE accepts (not whether it is free or reserved). */
export function isSnapshotName(name: string): boolean {
  return name.length <= SNAPSHOT_NAME_MAX && SNAPSHOT_NAME.test(name);
}

/** The reserved word `name` is, if it is one (`Current` counts: PVE compares case-insensitively). */
export function reservedSnapshotName(name: string): string | undefined {
  return RESERVED_SNAPSHOT_NAMES.find((reserved) => reserved === name.toLowerCase());
}
