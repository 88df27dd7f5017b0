// DELETE /nodes/{node}/qemu/{vmid} (qm destroy, task `qmdestroy`) and DELETE
// /nodes/{node}/lxc/{vmid} (pct destroy, task `vzdestroy`), following qemu-server
// src/PVE/API2/Qemu.pm destroy_vm + src/PVE/QemuServer.pm destroy_vm and pve-container
// src/PVE/API2/LXC.pm destroy_vm + src/PVE/LXC.pm destroy_lxc_container (the same at PVE 8.4).
// What is refused before the UPID differs:
// - qemu: a non-root `skiplock` (400), HA resource or replication job without `purge`, and a
//   running VM ("VM 100 is running - destroy failed"). A lock is only checked in the worker
//   (QemuServer::destroy_vm check_lock, skipped with skiplock or lock `suspended`), and so is a
//   template whose base volumes linked clones still use.
// - lxc: a lock (check_lock is in its early checks), HA/replication without `purge`, and a running
//   CT without `force` ("unable to destroy CT 200 - container is running"); with `force` the
//   worker stops it first.
// With purge=1 the worker removes the guest's replication jobs and HA resource (and, through
// pve-ha-manager src/PVE/HA/Config.pm delete_service_from_config, its place in HA rules).
import { PveHttpError } from '../pve-http-error.js';
import type { GuestType, SimGuest } from './cluster-model.js';
import { guestNoun } from './guest-labels.js';
import type { SimCluster } from './sim-cluster.js';
import type { SimTask } from './sim-task.js';

export interface DestroyRequest {
  node: string;
  vmid: number;
  user: string;
  purge: boolean;
  destroyUnreferencedDisks: boolean;
  /** qemu only. */
  skiplock: boolean;
  /** lxc only. */
  force: boolean;
}

function haSid(type: GuestType, vmid: number): string {
  return `${type === 'qemu' ? 'vm' : 'ct'}:${vmid}`;
}

/** The early checks both run before the fork and again in the worker. Returns `$ha_managed`. */
function earlyChecks(cluster: SimCluster, type: GuestType, request: DestroyRequest): boolean {
  const guest = cluster.guestOn(request.node, request.vmid, type);
  // lxc: PVE::LXC::Config->check_lock in $early_checks.
  if (type === 'lxc') cluster.assertUnlocked(guest);
  // PVE::HA::Config::service_is_configured: any configured resource, `ignored` ones included.
  const haManaged = cluster.ha.verboseState(guest) !== undefined;
  if (!request.purge) {
    if (haManaged) {
      throw PveHttpError.die(
        `unable to remove ${guestNoun(type)} ${request.vmid} - used in HA resources and purge parameter not set.`,
      );
    }
    // pve-guest-common src/PVE/ReplicationConfig.pm check_for_existing_jobs.
    const job = cluster.replication.jobsOf(request.vmid)[0];
    if (job) {
      throw PveHttpError.die(
        `There is a replication job '${job.id}' for guest '${request.vmid}' - Please remove that first.`,
      );
    }
  }
  if (type === 'qemu' && guest.running) {
    throw PveHttpError.die(`VM ${request.vmid} is running - destroy failed`);
  }
  return haManaged;
}

export function requestDestroy(cluster: SimCluster, type: GuestType, request: DestroyRequest): string {
  if (type === 'qemu' && request.skiplock && request.user !== 'root@pam') {
    throw new PveHttpError(400, 'Parameter verification failed.', {
      skiplock: 'Only root may use this option.',
    });
  }
  earlyChecks(cluster, type, request);
  const guest = cluster.guestOn(request.node, request.vmid, type);
  if (type === 'lxc' && guest.running && !request.force) {
    throw PveHttpError.die(`unable to destroy CT ${request.vmid} - container is running`);
  }
  const spec = {
    node: request.node,
    type: type === 'qemu' ? 'qmdestroy' : 'vzdestroy',
    id: String(request.vmid),
    user: request.user,
  };
  return cluster.startTask(spec, async (task) => {
    const haManaged = earlyChecks(cluster, type, request);
    if (type === 'lxc' && guest.running) {
      // A plain `warn`: printed to the task log, not counted as a task warning.
      task.log(`forced to stop CT ${request.vmid} before destroying!`);
      await task.sleep(1_000);
      cluster.markStopped(guest);
    }
    if (type === 'qemu') checkQemuDestroyable(cluster, guest, request);
    await freeVolumes(cluster, guest, task);
    // `{ lock => 'destroyed' }` replaces the config until the very end.
    guest.lock = 'destroyed';
    task.failurePoint();
    if (request.purge) {
      task.log(`purging ${guestNoun(type)} ${request.vmid} from related configurations..`);
      for (const job of cluster.replication.jobsOf(request.vmid)) cluster.replication.remove(job.id);
      if (haManaged) {
        const sid = haSid(type, request.vmid);
        cluster.ha.remove(sid);
        cluster.ha.rules.purgeResource(sid);
        task.log(`NOTE: removed ${guestNoun(type)} ${request.vmid} from HA resource configuration.`);
      }
    }
    cluster.removeGuest(request.vmid);
  }).upid;
}

/** QemuServer::destroy_vm before it frees anything: the lock, and base volumes still in use. */
function checkQemuDestroyable(cluster: SimCluster, guest: SimGuest, request: DestroyRequest): void {
  if (!request.skiplock && guest.lock !== 'suspended') cluster.assertUnlocked(guest);
  if (!guest.template) return;
  for (const disk of guest.disks) {
    const inUse = cluster
      .guests()
      .some(
        (other) =>
          other.vmid !== guest.vmid && other.disks.some((d) => d.volume.startsWith(`${disk.volume}/`)),
      );
    if (inUse) {
      throw new Error(`base volume '${disk.storage}:${disk.volume}' is still in use by linked cloned`);
    }
  }
}

/**
 * vdisk_free of each owned volume. On LVM-thin the plugin runs `lvremove`, whose output is the
 * only line such a task prints for it; other storage types are removed without output here.
 */
async function freeVolumes(cluster: SimCluster, guest: SimGuest, task: SimTask): Promise<void> {
  for (const disk of guest.disks) {
    await task.sleep(300);
    const storage = cluster.storages.find((s) => s.storage === disk.storage);
    // A linked clone's volume is `base-9000-disk-0/vm-150-disk-0`: the LV is the last part.
    const volume = disk.volume.split('/').at(-1) ?? disk.volume;
    if (storage?.type === 'lvmthin') task.log(`  Logical volume "${volume}" successfully removed.`);
  }
}
