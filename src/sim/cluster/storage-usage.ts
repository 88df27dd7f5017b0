// How full a storage is, as `pvesm status` / /cluster/resources report it: its own base use,
// the disks of the guests on it (every guest's for a shared storage, the node's own otherwise),
// plus whatever else was written there (backups, ISOs: `SimCluster.fillStorage`).
import type { SimStorage } from './cluster-model.js';
import type { SimCluster } from './sim-cluster.js';

/** Thin-provisioned: a disk occupies about 40% of its size. */
const THIN_FILL = 0.4;

export function storageUsed(cluster: SimCluster, storage: SimStorage, node: string): number {
  let used = storage.baseUsed + cluster.storageExtraUsed(storage.storage, node);
  // Archives fill a dir storage; a backup server deduplicates, its base use stands for them.
  if (storage.type !== 'pbs') used += cluster.backups.bytesOn(storage.storage, node);
  for (const guest of cluster.guests()) {
    if (!storage.shared && guest.node !== node) continue;
    for (const disk of guest.disks)
      if (disk.storage === storage.storage) used += disk.sizeGiB * 1024 ** 3 * THIN_FILL;
  }
  return Math.min(Math.floor(used), storage.total);
}
