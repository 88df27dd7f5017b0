// What changes when a guest's config moves to another node: the node, replication direction.
import type { SimCdrom, SimGuest } from './cluster-model.js';
import type { SimCluster } from './sim-cluster.js';

export function moveGuest(cluster: SimCluster, guest: SimGuest, target: string): void {
  const source = guest.node;
  guest.node = target;
  // Migrating to the replication target turns the job around (PVE::Replication switch_replication_job_target).
  for (const job of cluster.replication.jobsOf(guest.vmid)) if (job.target === target) job.target = source;
  cluster.ha.guestMoved(guest, target);
}

/** Disks on storage that is not shared must be copied to move the guest. */
export function localDisks(cluster: SimCluster, guest: SimGuest): SimGuest['disks'] {
  return guest.disks.filter(
    (disk) => !cluster.storages.find((storage) => storage.storage === disk.storage)?.shared,
  );
}

/** CD-ROM media on storage that is not shared; cloud-init drives included (PVE regenerates those). */
export function localCdroms(cluster: SimCluster, guest: SimGuest): SimCdrom[] {
  return (guest.cdroms ?? []).filter((cdrom) => {
    const storage = cdrom.volid.split(':', 1)[0];
    return !cluster.storages.find((s) => s.storage === storage)?.shared;
  });
}

/** A cloud-init drive, `<storage>:vm-<id>-cloudinit`: rebuilt on the target, never a blocker. */
export function isCloudInit(volid: string): boolean {
  return /(?:^|[:/])vm-\d+-cloudinit(?:\.\w+)?$/.test(volid);
}
