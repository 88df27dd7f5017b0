// What the simulated cluster answers differently as a PVE 8.4 or a PVE 9.1 cluster: one record
// per release, read where an answer depends on it, so the differences are listed here and not
// spread as version tests. Every entry names the Proxmox version that brought the change; the
// conformance corpus (test/conformance/pve/fixtures/**/*.8.json and *.9.json) shows both shapes.
//
// PVE 8.4 is modelled as its newest stable-bookworm build: pve-manager 8.4.21 (so 401 answers
// say "Authentication failed!", as since 8.4.17), qemu-server 8.x, pve-container 5.x,
// pve-ha-manager 4.0.7. PVE 9.1 as pve-manager 9.1.3 with pve-ha-manager 5.1.
import type { PveVersion } from '../types.js';
import type { ClusterSeed } from './cluster-seed.js';
import { INSTALLED_VERSIONS, MANAGER_VERSION, pendingUpdatesFor, RUNNING_KERNEL } from './node-packages.js';

export type { PveVersion } from '../types.js';

export const PVE_VERSIONS: readonly PveVersion[] = ['8.4', '9.1'];

export interface PveRelease {
  /** major.minor; also the official API schema the requests are checked against. */
  version: PveVersion;
  /** The nodes' software: pve-manager (/version, pveversion) and the running kernel. */
  software: { manager: string; proxmoxVe: string; kernel: string; kernelBuilt: string };
  /**
   * `METHOD /template` the release's API lacks, answered 501 with PVE's own status text, as 8.4
   * answers GET /cluster/ha/rules: that release registers no handler for the path.
   */
  missingEndpoints: readonly string[];
  ha: {
    /**
     * pve-ha-manager 5.0 (PVE 9.0): placement by /cluster/ha/rules, groups migrated to rules
     * (GET /cluster/ha/groups refuses); 4.0: HA groups, each resource's `group`.
     */
    placement: 'rules' | 'groups';
    /** pve-ha-manager 5.0: the resource option `failback` (4.0 has the group's `nofailback`). */
    resourceFailback: boolean;
    /**
     * pve-ha-manager 5.1.3: /cluster/ha/status/current has a `fencing` entry and the LRM texts a
     * watchdog part (`node01 (active, watchdog active, <time>)`).
     */
    watchdogStatus: boolean;
  };
  guests: {
    /**
     * qemu-server / pve-container 9.0 (cgroup v2 accounting): `memhost` in QEMU status/current and
     * on /cluster/resources guests, `pressure*` in running guests' status/current.
     */
    memhostAndPressure: boolean;
    /** qemu-server 9.0: `has-dbus-vmstate` in the QEMU migrate precondition. */
    dbusVmstate: boolean;
    /** qemu-server 9.0: foreach_volid's `is_cloudinit` in the precondition's local_disks. */
    volumeIsCloudinit: boolean;
  };
  /**
   * pve-manager 9.0: the nodes broadcast `network` entries (`network/<node>/zone/localnetwork`);
   * 8.x adds one `sdn/<node>/localnetwork` entry per node (also for `type=sdn`).
   */
  localNetwork: 'network' | 'sdn';
  /** pve-manager 9.0: `memory.available` in /nodes/{node}/status. */
  nodeMemoryAvailable: boolean;
}

const PVE_9_1: PveRelease = {
  version: '9.1',
  software: {
    manager: MANAGER_VERSION,
    proxmoxVe: '9.1.0',
    kernel: RUNNING_KERNEL,
    kernelBuilt: '2025-10-21T11:55Z',
  },
  missingEndpoints: [],
  ha: { placement: 'rules', resourceFailback: true, watchdogStatus: true },
  guests: { memhostAndPressure: true, dbusVmstate: true, volumeIsCloudinit: true },
  localNetwork: 'network',
  nodeMemoryAvailable: true,
};

const PVE_8_4: PveRelease = {
  version: '8.4',
  software: {
    manager: '8.4.21',
    proxmoxVe: '8.4.0',
    kernel: '6.8.12-15-pve',
    kernelBuilt: '2025-09-12T11:02Z',
  },
  missingEndpoints: [
    // pve-ha-manager 4.0 has no API2/HA/Rules.pm.
    'GET /cluster/ha/rules',
    'POST /cluster/ha/rules',
    'GET /cluster/ha/rules/{rule}',
    'PUT /cluster/ha/rules/{rule}',
    'DELETE /cluster/ha/rules/{rule}',
    // pve-container 5.x registers only the POST on {vmid}/migrate.
    'GET /nodes/{node}/lxc/{vmid}/migrate',
  ],
  ha: { placement: 'groups', resourceFailback: false, watchdogStatus: false },
  guests: { memhostAndPressure: false, dbusVmstate: false, volumeIsCloudinit: false },
  localNetwork: 'sdn',
  nodeMemoryAvailable: false,
};

export function pveRelease(version: PveVersion = '9.1'): PveRelease {
  if (version === '8.4') return PVE_8_4;
  if (version === '9.1') return PVE_9_1;
  throw new RangeError(`PVE version must be one of ${PVE_VERSIONS.join(', ')}, got '${String(version)}'`);
}

/**
 * The seed as a cluster of this release: the nodes run its software, and on 8.4 HA placement
 * is by groups: no rules, and (in the guides' cluster) vm:101 in group `prefer-node02`
 * (node02:2,node03, nofailback), as `ha-manager add vm:101 --group prefer-node02` leaves it.
 */
export function seedForRelease(seed: ClusterSeed, release: PveRelease): ClusterSeed {
  if (release.version === '9.1') return seed;
  const { manager, proxmoxVe, kernel } = release.software;
  for (const node of seed.nodes) {
    node.managerVersion = manager;
    node.runningKernel = kernel;
    node.installedKernel = kernel;
    const installed = new Map(
      INSTALLED_VERSIONS.map(([name, version]): [string, string] => {
        if (name === 'pve-manager') return [name, manager];
        if (name === 'proxmox-ve') return [name, proxmoxVe];
        if (name === `proxmox-kernel-${RUNNING_KERNEL}-signed`)
          return [`proxmox-kernel-${kernel}-signed`, kernel.replace(/-pve$/, '')];
        return [name, version];
      }),
    );
    node.installed = installed;
    node.pendingUpdates = pendingUpdatesFor(node.nodeid - 1, installed);
  }
  if (release.ha.placement === 'groups') {
    seed.haRules = [];
    // The guides' cluster's second and third nodes: node02 and node03 (srv02 and srv03 in SRV-Cluster).
    const second = seed.nodes.find((node) => node.nodeid === 2)?.name;
    const third = seed.nodes.find((node) => node.nodeid === 3)?.name;
    const web01 = seed.haResources.find((resource) => resource.sid === 'vm:101');
    if (web01 && second && third) {
      const group = `prefer-${second}`;
      seed.haGroups = [{ group, nodes: [`${second}:2`, third], nofailback: true }];
      web01.group = group;
    }
  }
  return seed;
}
