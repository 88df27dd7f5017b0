// Snapshots of QEMU and LXC guests, as qemu-server API2/Qemu.pm (snapshot, rollback, delsnapshot),
// pve-container API2/LXC/Snapshot.pm and pve-guest-common AbstractConfig.pm do them: the handlers
// refuse only reserved names before forking; a lock, a name already used or a missing snapshot
// fail inside the task (`TASK ERROR: …`). While a task runs the config carries the lock
// `snapshot`, `rollback` or `snapshot-delete`; a taken snapshot becomes the config's `parent`.
import { PveHttpError } from '../pve-http-error.js';
import type { GuestType, SimGuest, SimSnapshot, SnapshotState } from './cluster-model.js';
import { guestNoun } from './guest-labels.js';
import { MiB, renderBytes, renderDuration } from './log-format.js';
import type { SimCluster } from './sim-cluster.js';
import type { SimTask } from './sim-task.js';

/** Simulated durations: a storage snapshot per disk, RAM written at this rate, a disk rollback. */
export const SNAPSHOT_TIMINGS = {
  perDiskMs: 1_000,
  vmstateBytesPerSec: 600 * MiB,
  rollbackPerDiskMs: 1_500,
  deletePerDiskMs: 1_000,
  stopMs: 1_000,
  startMs: 2_000,
} as const;

interface SnapshotTarget {
  node: string;
  vmid: number;
  type: GuestType;
  user: string;
}

const TASK_TYPES = {
  qemu: { create: 'qmsnapshot', rollback: 'qmrollback', delete: 'qmdelsnapshot' },
  lxc: { create: 'vzsnapshot', rollback: 'vzrollback', delete: 'vzdelsnapshot' },
} as const;

/** The keys a snapshot section copies from the guest (deep, so later edits do not leak in). */
export function captureState(guest: SimGuest): SnapshotState {
  return structuredClone({
    name: guest.name,
    memoryMiB: guest.memoryMiB,
    cores: guest.cores,
    disks: guest.disks,
    cdroms: guest.cdroms,
    localDevices: guest.localDevices,
    options: guest.options,
    tags: guest.tags,
    onboot: guest.onboot,
    ostype: guest.ostype,
    parent: guest.parent,
  });
}

/** __snapshot_apply_config: the snapshot's keys replace the guest's; description stays. */
function applyState(guest: SimGuest, state: SnapshotState): void {
  const copy = structuredClone(state);
  for (const key of ['cdroms', 'localDevices', 'options', 'tags', 'parent'] as const) delete guest[key];
  for (const [key, value] of Object.entries(copy)) {
    if (value !== undefined) (guest as unknown as Record<string, unknown>)[key] = value;
  }
}

export function findSnapshot(guest: SimGuest, name: string): SimSnapshot | undefined {
  return guest.snapshots?.find((snapshot) => snapshot.name === name);
}

/** The storage the RAM goes to: `vmstatestorage`, else the first disk's (QemuConfig __snapshot_save_vmstate). */
function vmstateStorage(guest: SimGuest): string {
  return guest.options?.vmstatestorage ?? guest.disks[0]?.storage ?? 'local';
}

/** AbstractConfig check_lock, as a worker dies with it. */
function checkLock(guest: SimGuest): void {
  if (guest.lock) throw new Error(`${guestNoun(guest.type)} is locked (${guest.lock})`);
}

/** POST …/snapshot: reserved names refused before the fork, the rest in the task. */
export function requestSnapshot(
  cluster: SimCluster,
  target: SnapshotTarget,
  snapname: string,
  options: { vmstate: boolean; description?: string },
): string {
  const reserved = target.type === 'qemu' ? 'pending' : 'vzdump';
  if (snapname === 'current' || (target.type === 'qemu' ? snapname.toLowerCase() : snapname) === reserved)
    throw PveHttpError.die(`unable to use snapshot name '${snapname}' (reserved name)`);
  // qemu-server loads the config before forking; so does pve-container (its vmid check).
  cluster.guestOn(target.node, target.vmid, target.type);
  const spec = {
    node: target.node,
    type: TASK_TYPES[target.type].create,
    id: String(target.vmid),
    user: target.user,
  };
  return cluster.startTask(spec, (task) => takeSnapshot(cluster, task, target, snapname, options)).upid;
}

async function takeSnapshot(
  cluster: SimCluster,
  task: SimTask,
  target: SnapshotTarget,
  snapname: string,
  options: { vmstate: boolean; description?: string },
): Promise<void> {
  // __snapshot_prepare, in its order.
  const guest = cluster.guestOn(target.node, target.vmid, target.type);
  if (guest.template) throw new Error(`you can't take a snapshot if it's a template`);
  checkLock(guest);
  if (findSnapshot(guest, snapname)) throw new Error(`snapshot name '${snapname}' already used`);
  guest.lock = 'snapshot';
  const snapshot: SimSnapshot = {
    name: snapname,
    snaptime: Math.floor(cluster.now() / 1000) + cluster.node(target.node).clockOffset,
    snapstate: 'prepare',
    state: captureState(guest),
  };
  if (options.description) snapshot.description = options.description;
  // vmstate of a stopped VM (and of any container) is silently ignored.
  const withRam = guest.type === 'qemu' && options.vmstate && guest.running;
  if (withRam) snapshot.vmstate = `${vmstateStorage(guest)}:vm-${guest.vmid}-state-${snapname}`;
  guest.snapshots = [...(guest.snapshots ?? []), snapshot];
  try {
    if (withRam) await saveVmstate(task, guest);
    for (const disk of snapshot.state.disks) {
      if (guest.type === 'qemu')
        task.log(`snapshotting 'drive-${disk.key}' (${disk.storage}:${disk.volume})`);
      await task.sleep(SNAPSHOT_TIMINGS.perDiskMs);
      task.failurePoint();
      if (storageType(cluster, disk.storage) === 'lvmthin')
        task.log(`  Logical volume "snap_${disk.volume}_${snapname}" created.`);
    }
  } catch (error) {
    // snapshot_create's cleanup: the half-made snapshot goes again, with the lock.
    guest.snapshots = (guest.snapshots ?? []).filter((entry) => entry !== snapshot);
    if (guest.lock === 'snapshot') delete guest.lock;
    throw error;
  }
  // __snapshot_commit.
  delete snapshot.snapstate;
  delete guest.lock;
  guest.parent = snapname;
}

/** QemuConfig __snapshot_create_vol_snapshots_hook: the RAM, with a progress line per second. */
async function saveVmstate(task: SimTask, guest: SimGuest): Promise<void> {
  task.log(`saving VM state and RAM using storage '${vmstateStorage(guest)}'`);
  const total = Math.max(MiB, Math.round(guest.memoryMiB * MiB * guest.load.mem));
  const seconds = Math.max(1, Math.ceil(total / SNAPSHOT_TIMINGS.vmstateBytesPerSec));
  task.log(`${renderBytes(MiB)} in 0s`);
  for (let second = 1; second < seconds; second += 1) {
    await task.sleep(1_000);
    task.log(`${renderBytes((total * second) / seconds)} in ${renderDuration(second)}`);
  }
  await task.sleep(1_000);
  task.log(`completed saving the VM state in ${renderDuration(seconds)}, saved ${renderBytes(total)}`);
}

function storageType(cluster: SimCluster, storage: string): string | undefined {
  return cluster.storages.find((entry) => entry.storage === storage)?.type;
}

/** POST …/snapshot/{snapname}/rollback: everything is checked in the task. */
export function requestRollback(
  cluster: SimCluster,
  target: SnapshotTarget,
  snapname: string,
  start: boolean,
): string {
  const spec = {
    node: target.node,
    type: TASK_TYPES[target.type].rollback,
    id: String(target.vmid),
    user: target.user,
  };
  return cluster.startTask(spec, (task) => rollback(cluster, task, target, snapname, start)).upid;
}

async function rollback(
  cluster: SimCluster,
  task: SimTask,
  target: SnapshotTarget,
  snapname: string,
  start: boolean,
): Promise<void> {
  const guest = cluster.guestOn(target.node, target.vmid, target.type);
  if (guest.template) throw new Error(`you can't rollback if vm is a template`);
  const snapshot = findSnapshot(guest, snapname);
  if (!snapshot) throw new Error(`snapshot '${snapname}' does not exist`);
  if (snapshot.snapstate)
    throw new Error(`unable to rollback to incomplete snapshot (snapstate = ${snapshot.snapstate})`);
  checkLock(guest);
  // __snapshot_rollback_vm_stop: a running guest is stopped first (hard, timeout 5 s).
  if (guest.running) {
    await task.sleep(SNAPSHOT_TIMINGS.stopMs);
    cluster.markStopped(guest);
  }
  guest.lock = 'rollback';
  // A failure from here on leaves the lock, as PVE does: `qm unlock` is needed.
  for (const _disk of snapshot.state.disks) {
    await task.sleep(SNAPSHOT_TIMINGS.rollbackPerDiskMs);
    task.failurePoint();
  }
  delete guest.lock;
  applyState(guest, snapshot.state);
  guest.parent = snapname;
  // A snapshot with RAM resumes the VM from its state; `start` starts one that is not running.
  if (snapshot.vmstate || start) {
    await task.sleep(SNAPSHOT_TIMINGS.startMs);
    cluster.markRunning(guest);
  }
}

/** DELETE …/snapshot/{snapname}: everything is checked in the task. */
export function requestDeleteSnapshot(
  cluster: SimCluster,
  target: SnapshotTarget,
  snapname: string,
  force: boolean,
): string {
  const spec = {
    node: target.node,
    type: TASK_TYPES[target.type].delete,
    id: String(target.vmid),
    user: target.user,
  };
  return cluster.startTask(spec, (task) => deleteSnapshot(cluster, task, target, snapname, force)).upid;
}

async function deleteSnapshot(
  cluster: SimCluster,
  task: SimTask,
  target: SnapshotTarget,
  snapname: string,
  force: boolean,
): Promise<void> {
  const guest = cluster.guestOn(target.node, target.vmid, target.type);
  const snapshot = findSnapshot(guest, snapname);
  if (!snapshot) throw new Error(`snapshot '${snapname}' does not exist`);
  // set_lock checks the lock first.
  checkLock(guest);
  guest.lock = 'snapshot-delete';
  if (guest.template) throw new Error(`you can't delete a snapshot if vm is a template`);
  snapshot.snapstate = 'delete';
  delete snapshot.vmstate;
  for (const disk of snapshot.state.disks) {
    await task.sleep(SNAPSHOT_TIMINGS.deletePerDiskMs);
    // Without force a storage error fails the task (the snapshot keeps snapstate `delete`).
    if (!force) task.failurePoint();
    if (storageType(cluster, disk.storage) === 'lvmthin')
      task.log(`  Logical volume "snap_${disk.volume}_${snapname}" successfully removed.`);
  }
  // The parent links that named it now name its own parent.
  const unlink = (holder: { parent?: string }) => {
    if (holder.parent !== snapname) return;
    if (snapshot.state.parent) holder.parent = snapshot.state.parent;
    else delete holder.parent;
  };
  unlink(guest);
  for (const other of guest.snapshots ?? []) if (other !== snapshot) unlink(other.state);
  guest.snapshots = (guest.snapshots ?? []).filter((entry) => entry !== snapshot);
  if (guest.snapshots.length === 0) delete guest.snapshots;
  delete guest.lock;
}

/** PUT …/snapshot/{snapname}/config (update_snapshot_config): only the description. */
export function updateSnapshotDescription(guest: SimGuest, snapname: string, description?: string): void {
  const snapshot = findSnapshot(guest, snapname);
  if (!snapshot) throw PveHttpError.die(`snapshot '${snapname}' does not exist`);
  if (description === undefined) return;
  if (description) snapshot.description = description;
  else delete snapshot.description;
}
