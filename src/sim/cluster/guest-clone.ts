// qm clone / pct clone, in the order of qemu-server src/PVE/API2/Qemu.pm clone_vm and
// pve-container src/PVE/API2/LXC.pm clone_vm (same at PVE 8.4 and 9.x unless noted). The two
// differ in what is refused before the UPID:
// - qemu: `$load_and_check` runs once before fork_worker and again inside it. It only sees a
//   `<newid>.conf` in this node's qemu-server directory ("unable to create VM …: config file already
//   exists"); a newid taken on another node, or by a CT, is found by pmxcfs (memdb.c
//   memdb_rename/vmlist_different_vm_exists: EEXIST) when the worker writes the temporary config
//   with file_set_contents, so the task starts and then fails.
// - lxc: set_lock(source, 'disk') and create_and_lock_config(newid) (PVE::Cluster
//   check_vmid_unused: "CT 200 already exists on node 'node03'") and the per-mountpoint checks all
//   run before fork_worker; the new config carries `lock: create` (not `clone`).
// The worker copies the disks with progress lines (`transferred 1.0 GiB of 32.0 GiB (3.12%)`).
import { PveHttpError } from '../pve-http-error.js';
import type { SimGuest } from './cluster-model.js';
import { guestNoun, taskType } from './guest-labels.js';
import { GiB } from './log-format.js';
import { diskVolume, randomMac, randomUuid } from './make-guest.js';
import { mirrorDisk } from './migration-log.js';
import { localDisks } from './move-guest.js';
import { seededRandom } from './seeded-random.js';
import type { SimCluster } from './sim-cluster.js';
import type { SimTask } from './sim-task.js';
import { TaskAbort } from './sim-task.js';

export interface CloneRequest {
  node: string;
  vmid: number;
  newid: number;
  user: string;
  name?: string;
  full?: boolean;
  target?: string;
  pool?: string;
  storage?: string;
  description?: string;
}

interface ClonePlan {
  source: SimGuest;
  full: boolean;
  target: string | undefined;
}

export function requestClone(cluster: SimCluster, type: SimGuest['type'], request: CloneRequest): string {
  return type === 'qemu' ? requestQemuClone(cluster, request) : requestLxcClone(cluster, request);
}

/** The checks both share up to the quorum test: pool, target node, target storage. */
function checkPoolTargetStorage(
  cluster: SimCluster,
  type: SimGuest['type'],
  request: CloneRequest,
): string | undefined {
  // `undef $target if $target eq $localnode || $target eq 'localhost'`
  const target =
    request.target && request.target !== request.node && request.target !== 'localhost'
      ? request.target
      : undefined;
  if (request.pool && !cluster.pools.has(request.pool)) {
    throw new PveHttpError(403, `Permission check failed (pool '${request.pool}' does not exist)`);
  }
  if (target) cluster.assertNodeExists(target);
  if (request.storage) {
    const storage = cluster.storages.find((s) => s.storage === request.storage);
    if (!storage) throw PveHttpError.die(`storage '${request.storage}' does not exist`);
    // qemu only: raise_param_exc when the storage does not hold VM images.
    if (type === 'qemu' && !storage.content.split(',').includes('images')) {
      throw new PveHttpError(400, 'Parameter verification failed.', {
        storage: `storage '${request.storage}' does not support vm images`,
      });
    }
    if (target && !storage.shared) {
      throw PveHttpError.die(`can't clone to non-shared storage '${request.storage}'`);
    }
  }
  cluster.assertQuorum();
  return target;
}

/** qemu clone_vm `$load_and_check`: run before the fork and again in the worker. */
function qemuLoadAndCheck(cluster: SimCluster, request: CloneRequest, target: string | undefined): ClonePlan {
  const source = cluster.guestOn(request.node, request.vmid, 'qemu');
  cluster.assertUnlocked(source);
  const full = request.full ?? !source.template;
  if (request.storage !== undefined && !full) {
    throw PveHttpError.die(`parameter 'storage' not allowed for linked clones`);
  }
  checkCloneAccess(cluster, request, source);
  if (target && localDisks(cluster, source).length > 0) {
    throw PveHttpError.die(`can't clone VM to node '${target}' (VM uses local storage)`);
  }
  // `-f $conffile`: only this node's qemu-server directory (config_file($newid) on the local node).
  const existing = cluster.guest(request.newid);
  if (existing && existing.type === 'qemu' && existing.node === request.node) {
    throw PveHttpError.die(`unable to create VM ${request.newid}: config file already exists`);
  }
  // volume_has_feature('clone'): only a template's base volumes can be linked-cloned.
  for (const disk of [...source.disks].sort((a, b) => a.key.localeCompare(b.key))) {
    if (!full && !source.template) {
      throw PveHttpError.die(
        `Linked clone feature is not supported for '${disk.storage}:${disk.volume}' (${disk.key})`,
      );
    }
  }
  return { source, full, target };
}

/** qemu-server Drive.pm valid_drive_names: the order foreach_volume visits the drives in. */
function driveOrder(key: string): number {
  const m = /^([a-z]+)(\d+)$/.exec(key);
  const base = { ide: 0, sata: 100, scsi: 200, virtio: 300, efidisk: 400, tpmstate: 500 }[m?.[1] ?? ''];
  return base === undefined ? 1000 : base + Number(m?.[2]);
}

/**
 * qemu clone_vm's access checks on the source's config, in its order: check_storage_access_clone
 * (Datastore.AllocateSpace on each disk's storage, or on the target storage; Sys.Console on `/`
 * for a physical CD-ROM drive), then check_bridge_access (SDN.Use on each NIC's bridge in the
 * `localnetwork` zone, or on its VLAN tag). root@pam holds them all.
 */
function checkCloneAccess(cluster: SimCluster, request: CloneRequest, source: SimGuest): void {
  const access = cluster.access;
  const drives = [
    ...source.disks.map((disk) => ({ key: disk.key, storage: disk.storage as string | undefined })),
    ...(source.cdroms ?? []).map((cdrom) => ({ key: cdrom.key, storage: undefined, volid: cdrom.volid })),
  ].sort((a, b) => driveOrder(a.key) - driveOrder(b.key));
  for (const drive of drives) {
    if ('volid' in drive) {
      if (drive.volid === 'cdrom') access.assertPrivileges(request.user, '/', ['Sys.Console']);
      continue;
    }
    access.assertPrivileges(request.user, `/storage/${request.storage ?? drive.storage}`, [
      'Datastore.AllocateSpace',
    ]);
  }
  const nets: Record<string, string> = { net0: 'bridge=vmbr0' };
  for (const [key, value] of Object.entries(source.options ?? {}))
    if (/^net\d+$/.test(key)) nets[key] = value;
  for (const key of Object.keys(nets).sort()) {
    const fields = Object.fromEntries(
      (nets[key] ?? '').split(',').map((part) => {
        const [name, ...rest] = part.split('=');
        return [name, rest.join('=')];
      }),
    );
    const bridge = fields.bridge;
    if (!bridge) continue;
    const zone = `/sdn/zones/localnetwork/${bridge}`;
    if (fields.tag) access.assertPrivileges(request.user, `${zone}/${fields.tag}`, ['SDN.Use']);
    for (const tag of trunkTags(fields.trunks))
      access.assertPrivileges(request.user, `${zone}/${tag}`, ['SDN.Use']);
    if (!fields.tag && !fields.trunks) access.assertPrivileges(request.user, zone, ['SDN.Use']);
  }
}

/** pve-guest-common GuestHelpers get_tags_from_trunk: `10;20-22` → the tags, sorted as strings. */
function trunkTags(trunks: string | undefined): string[] {
  if (!trunks) return [];
  const tags = new Set<string>();
  for (const part of trunks.split(';')) {
    const [start = '', end] = part.split('-');
    if (end && Number(end) > Number(start)) {
      for (let tag = Number(start); tag <= Number(end); tag++) tags.add(String(tag));
    } else if (start) tags.add(start);
  }
  return [...tags].sort();
}

function requestQemuClone(cluster: SimCluster, request: CloneRequest): string {
  const target = checkPoolTargetStorage(cluster, 'qemu', request);
  qemuLoadAndCheck(cluster, request, target);
  const spec = {
    node: request.node,
    type: taskType('qemu', 'clone'),
    id: String(request.vmid),
    user: request.user,
  };
  return cluster.startTask(spec, async (task) => {
    const plan = qemuLoadAndCheck(cluster, request, target);
    // Since qemu-server 9.1.6 (commit 980dffe2); PVE 8.4 does not print it.
    task.log(`creating a clone of VM ${request.vmid} with ID ${request.newid}`);
    // file_set_contents($conffile, "# qmclone temporary file\nlock: clone\n"): pmxcfs refuses the
    // rename onto a vmid that exists elsewhere with EEXIST ("this fails if VM already exists on
    // other node"); it is outside clone_vm's eval, so no "clone failed: " prefix.
    if (cluster.guest(request.newid)) {
      throw new Error(
        `close (rename) atomic file '/etc/pve/nodes/${request.node}/qemu-server/${request.newid}.conf' failed: File exists`,
      );
    }
    await copyDisks(cluster, 'qemu', request, plan, task, 'clone');
  }).upid;
}

function requestLxcClone(cluster: SimCluster, request: CloneRequest): string {
  const target = checkPoolTargetStorage(cluster, 'lxc', request);
  // set_lock($vmid, 'disk'): load_config + check_lock on the source.
  const source = cluster.guestOn(request.node, request.vmid, 'lxc');
  cluster.assertUnlocked(source);
  source.lock = 'disk';
  // create_and_lock_config($newid, 0): PVE::Cluster check_vmid_unused.
  const existing = cluster.guest(request.newid);
  if (existing) {
    delete source.lock;
    throw PveHttpError.die(
      `${guestNoun(existing.type)} ${request.newid} already exists on node '${existing.node}'`,
    );
  }
  const full = request.full ?? !source.template;
  const plan: ClonePlan = { source, full, target };
  const placeholder = newGuest(source, request, plan, 'create');
  cluster.addGuest(placeholder);
  try {
    if (request.storage !== undefined && !full) {
      throw PveHttpError.die(`parameter 'storage' not allowed for linked clones`);
    }
    for (const disk of [...source.disks].sort((a, b) => a.key.localeCompare(b.key))) {
      if (full && source.running) {
        // Worded so since pve-container 6.0.19 (commit 2682d64); 8.4 said "Cannot do full clones on
        // a running container without snapshots".
        throw PveHttpError.die('Full clone of a running container is only possible from a snapshot');
      }
      if (!full && !source.template) {
        throw PveHttpError.die(`Linked clone feature for '${disk.storage}:${disk.volume}' is not available`);
      }
    }
    if (target && localDisks(cluster, source).length > 0) {
      throw PveHttpError.die(`can't clone CT to node '${target}' (CT uses local storage)`);
    }
  } catch (error) {
    delete source.lock;
    cluster.removeGuest(request.newid);
    throw error;
  }
  const spec = {
    node: request.node,
    type: taskType('lxc', 'clone'),
    id: String(request.vmid),
    user: request.user,
  };
  return cluster.startTask(spec, async (task) => {
    // Since pve-container 6.1.3 (commit de9544a); PVE 8.4 does not print it.
    task.log(`creating a clone of container ${request.vmid} with ID ${request.newid}`);
    try {
      await copyDisks(cluster, 'lxc', request, plan, task, 'create', placeholder);
    } finally {
      // "Unlock the source config in any case".
      if (source.lock === 'disk') delete source.lock;
    }
  }).upid;
}

function newGuest(source: SimGuest, request: CloneRequest, plan: ClonePlan, lock: string): SimGuest {
  const random = seededRandom(request.newid);
  const clone: SimGuest = {
    ...structuredClone(source),
    vmid: request.newid,
    name: request.name ?? (source.type === 'qemu' ? `Copy-of-VM-${source.name}` : source.name),
    node: request.node,
    running: false,
    template: false,
    lock,
    onboot: false,
    mac: randomMac(random),
    uuid: randomUuid(random),
    disks: source.disks.map((disk, index) => ({
      ...disk,
      storage: plan.full ? (request.storage ?? disk.storage) : disk.storage,
      volume: plan.full
        ? diskVolume(request.newid, index, false)
        : `${disk.volume}/${diskVolume(request.newid, index, false)}`,
    })),
  };
  delete clone.startedAt;
  delete clone.pool;
  // A clone copies the current state only: no snapshots, no parent.
  delete clone.snapshots;
  delete clone.parent;
  if (request.pool) clone.pool = request.pool;
  if (request.description) clone.description = request.description;
  return clone;
}

async function copyDisks(
  cluster: SimCluster,
  type: SimGuest['type'],
  request: CloneRequest,
  plan: ClonePlan,
  task: SimTask,
  lock: string,
  existing?: SimGuest,
): Promise<void> {
  const { source, full, target } = plan;
  const clone = existing ?? newGuest(source, request, plan, lock);
  if (!existing) cluster.addGuest(clone);
  try {
    for (const [index, disk] of source.disks.entries()) {
      const volid = `${disk.storage}:${disk.volume}`;
      if (!full) {
        // qemu-server clone_disk / pve-container clone_vm ("mount point" with a space there).
        task.log(
          type === 'qemu'
            ? `create linked clone of drive ${disk.key} (${volid})`
            : `create linked clone of mount point ${disk.key} (${volid})`,
        );
        await task.sleep(1_000);
        continue;
      }
      task.log(
        `create full clone of ${type === 'qemu' ? `drive ${disk.key}` : `mountpoint ${disk.key}`} (${volid})`,
      );
      const bytes = disk.sizeGiB * GiB;
      if (type === 'qemu' && source.running) {
        task.log(`drive mirror is starting for drive-${disk.key}`);
        await mirrorDisk(task, `drive-${disk.key}: `, bytes, () => {}, false);
        task.log(`all 'mirror' jobs are ready`);
        task.log(`drive-${disk.key}: Completing block job...`);
        task.log(`drive-${disk.key}: Completed successfully.`);
        task.log(`drive-${disk.key}: mirror-job finished`);
      } else {
        await mirrorDisk(task, '', bytes, () => {}, false);
      }
      if (index === 0 && type === 'lxc')
        task.log(`Number of files: 31,204 (reg: 24,881, dir: 2,905, link: 3,418)`);
    }
    if (target) {
      await task.sleep(500);
      clone.node = target;
    }
    delete clone.lock;
  } catch (error) {
    // The half-created guest is destroyed again (clone_vm's error path).
    cluster.removeGuest(clone.vmid);
    if (error instanceof TaskAbort) throw error;
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof Error && error.name === 'InjectedTaskFailure') throw error;
    throw new Error(`clone failed: ${message}`);
  }
}
