// Guest snapshots (qemu-server and pve-container snapshot endpoints). Creating, rolling back and
// deleting each start a task (qmsnapshot/vzsnapshot, qmrollback/vzrollback,
// qmdelsnapshot/vzdelsnapshot). PVE checks only the name's form and the reserved names before the
// task exists (400, 500); a name already used, a locked guest or an unknown snapshot fail inside
// the task ("snapshot name 'x' already used", "VM is locked (backup)", "snapshot 'x' does not
// exist"), so callers read the task's end.
import { type GuestRef, guestPath } from './guest-ref.js';
import { pvePath } from './pve-path.js';
import type { PveTransport } from './pve-transport.js';
import { upidSchema } from './schemas/guest-schemas.js';
import {
  type GuestConfig,
  guestConfigSchema,
  type SnapshotConfig,
  snapshotConfigSchema,
  snapshotListSchema,
} from './schemas/snapshot-schemas.js';

export interface GuestSnapshot {
  name: string;
  /** When it was taken (Unix seconds); undefined when PVE has none (0). */
  takenAt: number | undefined;
  /** Whether it holds the RAM (a qemu snapshot taken running with vmstate). */
  withRam: boolean;
  description: string;
  parent: string | undefined;
  /** Set when its creation or deletion failed half-way (`prepare`, `delete`). */
  incomplete: string | undefined;
}

export interface SnapshotList {
  snapshots: GuestSnapshot[];
  /** The snapshot the guest's current state descends from (the `current` entry's parent). */
  currentParent: string | undefined;
  running: boolean;
}

export interface NewSnapshot {
  name: string;
  /** QEMU only: include the RAM (ignored by PVE for a stopped VM; containers refuse it). */
  vmstate?: boolean;
  description?: string;
}

export async function listSnapshots(
  transport: PveTransport,
  guest: GuestRef,
  signal?: AbortSignal,
): Promise<SnapshotList> {
  const entries = await transport.request('GET', `${guestPath(guest)}/snapshot`, {
    schema: snapshotListSchema,
    signal,
  });
  const current = entries.find((entry) => entry.name === 'current');
  return {
    snapshots: entries
      .filter((entry) => entry.name !== 'current')
      .map((entry) => ({
        name: entry.name,
        takenAt: entry.snaptime ? entry.snaptime : undefined,
        withRam: entry.vmstate === true,
        description: entry.description ?? '',
        parent: entry.parent,
        incomplete: entry.snapstate,
      })),
    currentParent: current?.parent,
    running: current?.running === true,
  };
}

export function createSnapshot(
  transport: PveTransport,
  guest: GuestRef,
  snapshot: NewSnapshot,
  signal?: AbortSignal,
): Promise<string> {
  return transport.request('POST', `${guestPath(guest)}/snapshot`, {
    params: {
      snapname: snapshot.name,
      // Sent only when asked: a container's endpoint has no such parameter and answers 400.
      ...(snapshot.vmstate ? { vmstate: true } : {}),
      ...(snapshot.description ? { description: snapshot.description } : {}),
    },
    schema: upidSchema,
    signal,
  });
}

/** Rolls back to `name`; a running QEMU guest is stopped first. `start`: start it afterwards. */
export function rollbackSnapshot(
  transport: PveTransport,
  guest: GuestRef,
  name: string,
  options: { start?: boolean } = {},
  signal?: AbortSignal,
): Promise<string> {
  return transport.request('POST', `${guestPath(guest)}${pvePath`/snapshot/${name}/rollback`}`, {
    params: options.start ? { start: true } : {},
    schema: upidSchema,
    signal,
  });
}

export function deleteSnapshot(
  transport: PveTransport,
  guest: GuestRef,
  name: string,
  signal?: AbortSignal,
): Promise<string> {
  return transport.request('DELETE', `${guestPath(guest)}${pvePath`/snapshot/${name}`}`, {
    schema: upidSchema,
    signal,
  });
}

export function getSnapshotConfig(
  transport: PveTransport,
  guest: GuestRef,
  name: string,
  signal?: AbortSignal,
): Promise<SnapshotConfig> {
  return transport.request('GET', `${guestPath(guest)}${pvePath`/snapshot/${name}/config`}`, {
    schema: snapshotConfigSchema,
    signal,
  });
}

export function getGuestConfig(
  transport: PveTransport,
  guest: GuestRef,
  signal?: AbortSignal,
): Promise<GuestConfig> {
  return transport.request('GET', `${guestPath(guest)}/config`, { schema: guestConfigSchema, signal });
}
