// The default cluster (docs/architecture.md, public contracts): MonCluster, node01..node03,
// TestVM on node01, as the beginners' guides build it; a Proxmox Backup Server storage
// `pbs-backup` with a nightly backup job and its history (backup-seed.ts). Another name and
// node naming give a second cluster with the same guests (SRV-Cluster: TestVM on srv01).
import { buildBackupSeed, PBS_STORAGE } from './backup-seed.js';
import { type ClusterSeed, defaultStorages, haResource } from './cluster-seed.js';
import { GiB } from './log-format.js';
import { makeGuest } from './make-guest.js';
import { DEFAULT_NODE_NAMING, makeNode, type NodeNaming } from './make-node.js';
import { seededRandom } from './seeded-random.js';

export function buildDefaultCluster(
  now: number,
  name = 'MonCluster',
  naming: NodeNaming = DEFAULT_NODE_NAMING,
): ClusterSeed {
  const random = seededRandom(20_251_103);
  const nodes = [0, 1, 2].map((index) => makeNode(index, now, random, naming));
  const [node01, node02, node03] = nodes.map((node) => node.name) as [string, string, string];
  const guest = (spec: Parameters<typeof makeGuest>[0]) => makeGuest(spec, now, random);
  const guests = [
    guest({
      vmid: 100,
      type: 'qemu',
      name: 'TestVM',
      node: node01,
      running: true,
      memoryMiB: 2048,
      cores: 2,
      storage: 'ceph-vm',
      diskGiB: 32,
    }),
    guest({
      vmid: 101,
      type: 'qemu',
      name: 'web01',
      node: node02,
      running: true,
      memoryMiB: 4096,
      cores: 2,
      storage: 'ceph-vm',
      diskGiB: 32,
      tags: 'prod;web',
      pool: 'prod',
      onboot: true,
    }),
    guest({
      vmid: 102,
      type: 'qemu',
      name: 'db01',
      node: node02,
      running: true,
      memoryMiB: 8192,
      cores: 4,
      storage: 'local-lvm',
      diskGiB: 64,
      tags: 'db;prod',
      pool: 'prod',
      onboot: true,
    }),
    guest({
      vmid: 103,
      type: 'qemu',
      name: 'files01',
      node: node03,
      running: false,
      memoryMiB: 2048,
      cores: 2,
      storage: 'local-zfs',
      diskGiB: 100,
    }),
    guest({
      vmid: 9000,
      type: 'qemu',
      name: 'debian12-tmpl',
      node: node01,
      running: false,
      memoryMiB: 2048,
      cores: 2,
      storage: 'ceph-vm',
      diskGiB: 16,
      template: true,
    }),
    guest({
      vmid: 200,
      type: 'lxc',
      name: 'ct-dns01',
      node: node03,
      running: true,
      memoryMiB: 512,
      cores: 1,
      storage: 'ceph-vm',
      diskGiB: 8,
      tags: 'infra',
      onboot: true,
    }),
    guest({
      vmid: 201,
      type: 'lxc',
      name: 'ct-proxy01',
      node: node01,
      running: false,
      memoryMiB: 1024,
      cores: 1,
      storage: 'local-lvm',
      diskGiB: 8,
    }),
  ];
  return {
    name,
    nodes,
    guests,
    // A backup disk only node03 has (storage.cfg `nodes node03`): node01 and node02 list it disabled.
    storages: [
      ...defaultStorages(),
      {
        storage: 'usb-backup',
        type: 'dir',
        content: 'backup',
        shared: false,
        total: 916 * GiB,
        baseUsed: 214 * GiB,
        nodes: [node03],
      },
      PBS_STORAGE,
    ],
    pools: ['prod', 'test'],
    haResources: [haResource('qemu', 101, 'started')],
    haRules: [],
    replication: [{ id: '103-0', guest: 103, jobnum: 0, target: node01, schedule: '*/15' }],
    backups: buildBackupSeed(nodes, guests, now),
  };
}
