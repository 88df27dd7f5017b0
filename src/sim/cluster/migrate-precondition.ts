// GET …/migrate: what a migration would need. QEMU answers with underscores, LXC (9.x) with hyphens.
import type { GuestType } from './cluster-model.js';
import { GiB } from './log-format.js';
import { localCdroms, localDisks } from './move-guest.js';
import type { SimCluster } from './sim-cluster.js';

export function migratePrecondition(
  cluster: SimCluster,
  type: GuestType,
  node: string,
  vmid: number,
): unknown {
  const guest = cluster.guestOn(node, vmid, type);
  // Every other cluster node has the same storages here, so none is refused for storage reasons;
  // like check_local_storage_availability, the check does not look at whether a node is online.
  const others = cluster.nodeNames().filter((name) => name !== node);
  const running = guest.running ? 1 : 0;
  if (type === 'lxc') return { running, 'allowed-nodes': others, 'not-allowed-nodes': {} };
  return {
    running,
    allowed_nodes: others,
    not_allowed_nodes: {},
    local_disks: [
      ...localDisks(cluster, guest).map((disk) => ({
        volid: `${disk.storage}:${disk.volume}`,
        size: disk.sizeGiB * GiB,
        drivename: disk.key,
        is_attached: 1,
        replicate: 1,
        shared: 0,
      })),
      // An ISO on local storage ties the VM to the node; QemuServer lists it with `cdrom`.
      ...localCdroms(cluster, guest).map((cdrom) => ({
        volid: cdrom.volid,
        size: 4 * 1024 * 1024,
        drivename: cdrom.key,
        cdrom: 1,
        is_attached: 1,
        shared: 0,
      })),
    ],
    // check_local_resources: passed-through host devices by config key.
    local_resources: Object.keys(guest.localDevices ?? {}),
    'mapped-resources': [],
    'mapped-resource-info': {},
    'has-dbus-vmstate': 0,
  };
}
