// GET …/migrate: what a migration would need, as qemu-server and pve-container (9.x) answer it.
// QEMU (qemu-server PVE/API2/Qemu.pm migrate_vm_precondition, 8.x and 9.x) lists EVERY other
// cluster node under `not_allowed_nodes`: its loop reads `$res->{not_allowed_nodes}->{$node}->%*`,
// which autovivifies `{}` for a node with no refusal, and `allowed_nodes` holds the ones whose
// entry stayed empty. LXC (pve-container PVE/API2/LXC.pm, 9.x only) tests with `defined`, so its
// allowed nodes are not in `not-allowed-nodes`; it uses hyphens. Neither looks at `target`, nor at
// whether a node is online (only the HA blocking below does, through the CRM's node status).
// PVE 8.4 (qemu-server 8.x, pve-ha-manager 4.0) has no HA motion info, no has-dbus-vmstate and no
// is_cloudinit (cluster.release.guests).
import type { GuestType, SimGuest } from './cluster-model.js';
import { GiB } from './log-format.js';
import { isCloudInit, localCdroms, localDisks } from './move-guest.js';
import { pciMappings } from './pci-mappings.js';
import type { SimCluster } from './sim-cluster.js';

type HaBlocker = { sid: string; cause: 'resource-affinity' };
type Refusal = {
  unavailable_storages?: string[];
  'unavailable-resources'?: string[];
  'blocking-ha-resources'?: HaBlocker[];
};

export function migratePrecondition(
  cluster: SimCluster,
  type: GuestType,
  node: string,
  vmid: number,
): unknown {
  // check_cfs_quorum, load_config ("test if VM exists"), then check_lock, in both.
  cluster.assertQuorum();
  const guest = cluster.guestOn(node, vmid, type);
  cluster.assertUnlocked(guest);
  const others = cluster.nodeNames().filter((name) => name !== node);
  const running = guest.running ? 1 : 0;
  const { guests: features, ha } = cluster.release;
  const motion =
    ha.placement === 'rules' ? haMotionInfo(cluster, `${type === 'qemu' ? 'vm' : 'ct'}:${vmid}`) : undefined;
  const devices = type === 'qemu' ? localResources(cluster, guest) : undefined;
  const refusals = new Map<string, Refusal>(
    others.map((name) => {
      // QEMU: check_local_storage_availability, then the missing mappings, then HA.
      const refusal: Refusal = {};
      const unavailable = type === 'qemu' ? unavailableStorages(cluster, guest, name) : [];
      if (unavailable.length > 0) refusal.unavailable_storages = unavailable;
      const missing = devices?.missing.get(name) ?? [];
      if (missing.length > 0) refusal['unavailable-resources'] = missing;
      const blocking = motion?.blocking.get(name);
      if (blocking) refusal['blocking-ha-resources'] = blocking;
      return [name, refusal];
    }),
  );
  const allowed = others.filter((name) => Object.keys(refusals.get(name) ?? {}).length === 0);
  const dependent = motion ? { 'dependent-ha-resources': motion.dependent } : {};
  if (type === 'lxc') {
    return {
      running,
      'allowed-nodes': allowed,
      'not-allowed-nodes': Object.fromEntries(
        [...refusals].filter(([, refusal]) => Object.keys(refusal).length > 0),
      ),
      ...dependent,
    };
  }
  const volume = (volid: string, key: string, cdrom: boolean, size: number) => {
    const attributes = volumeAttributes(volid, key, cdrom, size);
    if (!features.volumeIsCloudinit) delete attributes.is_cloudinit;
    return attributes;
  };
  return {
    running,
    allowed_nodes: allowed,
    not_allowed_nodes: Object.fromEntries(refusals),
    ...dependent,
    // $check_vm_disks_local: foreach_volid's attributes of each volume not on shared storage,
    // plus its volid (qemu-server QemuServer.pm foreach_volid; is_cloudinit since 9.0). Every
    // flag is 0/1; size (bytes) only for a drive with size=, drivename only for a drive key.
    local_disks: [
      ...localDisks(cluster, guest).map((disk) =>
        volume(`${disk.storage}:${disk.volume}`, disk.key, false, disk.sizeGiB * GiB),
      ),
      // An ISO on local storage ties the VM to the node; a cloud-init drive is a cdrom too.
      ...localCdroms(cluster, guest).map((cdrom) =>
        volume(cdrom.volid, cdrom.key, true, cdrom.size ?? 4 * 1024 * 1024),
      ),
    ],
    local_resources: devices?.local ?? [],
    'mapped-resources': Object.keys(devices?.mapped ?? {}).sort(),
    'mapped-resource-info': devices?.mapped ?? {},
    // Set unconditionally since qemu-server 9.0 (conntrack state migration).
    ...(features.dbusVmstate ? { 'has-dbus-vmstate': 1 } : {}),
  };
}

/**
 * pve-ha-manager PVE/HA/Config.pm get_resource_motion_info, for an HA-managed guest: the
 * resources in positive affinity go along (`dependent-ha-resources`), and each online node that
 * holds (or is the target of) a resource in negative affinity is blocked by it.
 */
function haMotionInfo(
  cluster: SimCluster,
  sid: string,
): { dependent: string[]; blocking: Map<string, HaBlocker[]> } | undefined {
  const resource = cluster.ha.resources.get(sid);
  if (!resource || resource.state === 'ignored') return undefined;
  const together = new Set<string>();
  const separate = new Set<string>();
  for (const rule of cluster.ha.rules.list()) {
    if (rule.type !== 'resource-affinity' || rule.disable || !rule.resources.includes(sid)) continue;
    for (const other of rule.resources) {
      if (other !== sid) (rule.affinity === 'positive' ? together : separate).add(other);
    }
  }
  const active = (other: string) => {
    const status = cluster.ha.serviceState(other);
    return status && cluster.ha.resources.get(other)?.state !== 'ignored' ? status : undefined;
  };
  const dependent = [...together].sort().filter((other) => active(other));
  const blocking = new Map<string, HaBlocker[]>();
  for (const node of cluster.nodeNames()) {
    if (cluster.ha.nodeStatus.get(node) !== 'online') continue;
    for (const other of [...separate].sort()) {
      const status = active(other);
      if (!status) continue;
      if (status.node && status.node !== node) continue;
      if (status.target && status.target !== node) continue;
      blocking.set(node, [...(blocking.get(node) ?? []), { sid: other, cause: 'resource-affinity' }]);
    }
  }
  return { dependent, blocking };
}

/** One foreach_volid entry for a volume attached (not unused, not only in a snapshot) to `key`. */
function volumeAttributes(volid: string, key: string, cdrom: boolean, size: number): Record<string, unknown> {
  return {
    cdrom: cdrom ? 1 : 0,
    is_cloudinit: isCloudInit(volid) ? 1 : 0,
    replicate: 1,
    shared: 0,
    is_unused: 0,
    is_attached: 1,
    size,
    is_vmstate: 0,
    is_tpmstate: key === 'tpmstate0' ? 1 : 0,
    drivename: key,
    volid,
  };
}

/**
 * qemu-server QemuServer.pm check_local_storage_availability: the storages of the VM's volumes
 * (disks and media) that storage.cfg `nodes` does not enable on `node`, sorted.
 */
function unavailableStorages(cluster: SimCluster, guest: SimGuest, node: string): string[] {
  const used = [
    ...guest.disks.map((disk) => disk.storage),
    ...(guest.cdroms ?? []).map((cdrom) => cdrom.volid.split(':', 1)[0] ?? ''),
  ];
  const unavailable = new Set(
    used.filter((id) => {
      const nodes = cluster.storages.find((storage) => storage.storage === id)?.nodes;
      return nodes !== undefined && !nodes.includes(node);
    }),
  );
  return [...unavailable].sort();
}

/**
 * qemu-server QemuMigrate/Helpers.pm check_local_resources: every host device key is a local
 * resource, except a mapped PCI device that is live-migration-capable, or any mapped one of a
 * stopped VM; each mapped device is described by its mapping name and listed for every node
 * the mapping has no device on.
 */
function localResources(
  cluster: SimCluster,
  guest: SimGuest,
): {
  local: string[];
  mapped: Record<string, { name: string; 'live-migration'?: 1 }>;
  missing: Map<string, string[]>;
} {
  const local: string[] = [];
  const mapped: Record<string, { name: string; 'live-migration'?: 1 }> = {};
  const missing = new Map<string, string[]>();
  for (const [key, value] of Object.entries(guest.localDevices ?? {})) {
    const name = /(?:^|,)mapping=([^,]+)/.exec(value)?.[1];
    if (name) {
      const mapping = key.startsWith('hostpci') ? pciMappings(cluster).get(name) : undefined;
      for (const node of cluster.nodeNames()) {
        if (!mapping?.nodes.includes(node)) missing.set(node, [...(missing.get(node) ?? []), key]);
      }
      mapped[key] = { name };
      if (mapping?.liveMigration) {
        mapped[key]['live-migration'] = 1;
        continue;
      }
      if (key.startsWith('hostpci') && !guest.running) continue;
    }
    local.push(key);
  }
  return { local, mapped, missing };
}
