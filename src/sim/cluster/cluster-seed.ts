import type { AccessSeed } from './access-control.js';
import type { BackupSeed } from './backup-seed.js';
import type { HaResource, HaRule, ReplicationJob, SimGuest, SimNode, SimStorage } from './cluster-model.js';
import type { HaGroup } from './ha-groups.js';
import { GiB } from './log-format.js';

/** Everything a new SimCluster starts from. */
export interface ClusterSeed {
  name: string;
  nodes: SimNode[];
  guests: SimGuest[];
  storages: SimStorage[];
  pools: string[];
  haResources: HaResource[];
  /** HA rules (PVE 9.x /cluster/ha/rules); a rule's resources must be among haResources. */
  haRules: HaRule[];
  /** HA groups (PVE 8.x /cluster/ha/groups); only a PVE 8.4 cluster has them. */
  haGroups?: HaGroup[];
  replication: Array<Pick<ReplicationJob, 'id' | 'guest' | 'jobnum' | 'target' | 'schedule'>>;
  /** Backup archives, scheduled jobs and the vzdump tasks that made them (backup-seed.ts). */
  backups?: BackupSeed;
  /** Users, tokens and ACLs; the bot's user and tokens (access-seed.ts) when absent. */
  access?: AccessSeed;
}

/** The storages of a typical hyper-converged PVE cluster: local ones per node, Ceph shared. */
export function defaultStorages(): SimStorage[] {
  return [
    {
      storage: 'local',
      type: 'dir',
      content: 'iso,vztmpl,backup',
      shared: false,
      total: 98 * GiB,
      baseUsed: 12 * GiB,
      // An installer ISO every node has downloaded (784 MiB).
      files: { 'iso/debian-13.1.0-amd64-netinst.iso': 784 * 1024 * 1024 },
    },
    {
      storage: 'local-lvm',
      type: 'lvmthin',
      content: 'images,rootdir',
      shared: false,
      total: 832 * GiB,
      baseUsed: 0,
    },
    {
      storage: 'local-zfs',
      type: 'zfspool',
      content: 'images,rootdir',
      shared: false,
      total: 1760 * GiB,
      baseUsed: 0,
    },
    {
      storage: 'ceph-vm',
      type: 'rbd',
      content: 'images,rootdir',
      shared: true,
      total: 5400 * GiB,
      baseUsed: 80 * GiB,
    },
  ];
}

/** `vm:100` / `ct:200`, the HA service id of a guest. */
export function haSid(type: 'qemu' | 'lxc', vmid: number): string {
  return `${type === 'qemu' ? 'vm' : 'ct'}:${vmid}`;
}

export function haResource(type: 'qemu' | 'lxc', vmid: number, state: HaResource['state']): HaResource {
  return {
    sid: haSid(type, vmid),
    type: type === 'qemu' ? 'vm' : 'ct',
    vmid,
    state,
    max_restart: 1,
    max_relocate: 1,
    failback: true,
  };
}
