// A DigestInput written by hand: the default simulated cluster on a calm day, which each unit
// test bends into the state it is about.
import type { DigestInput, DigestNode } from '../../../../src/jobs/digest/collect-digest.js';

export const NOW = Date.parse('2025-11-04T08:00:00Z');
const GiB = 1024 ** 3;

function node(name: string, index: number): DigestNode {
  const read = NOW - 40;
  return {
    node: name,
    online: true,
    cpu: 0.04 + index * 0.01,
    memUsed: (10 + index) * GiB,
    memTotal: 64 * GiB,
    uptime: (20 + index) * 86_400,
    details: {
      time: { time: Math.floor(read / 1000), sentAt: read - 5, receivedAt: read + 5 },
      certificates: [
        { filename: 'pve-root-ca.pem', fingerprint: 'CA', notafter: NOW / 1000 + 3000 * 86_400 },
        { filename: 'pve-ssl.pem', fingerprint: `N${index}`, notafter: NOW / 1000 + 400 * 86_400 },
      ],
      kernels: { running: '6.17.2-1-pve', installed: ['6.17.2-1-pve'] },
      pendingUpdates: [],
      errors: {},
    },
  };
}

export function calmInput(): DigestInput {
  return {
    collectedAt: NOW,
    cluster: { name: 'MonCluster', quorate: true, nodeCount: 3 },
    nodes: ['node01', 'node02', 'node03'].map(node),
    guests: [
      { vmid: 100, type: 'qemu', name: 'TestVM', node: 'node01', status: 'running', template: false },
      {
        vmid: 101,
        type: 'qemu',
        name: 'web01',
        node: 'node02',
        status: 'running',
        template: false,
        hastate: 'started',
      },
      { vmid: 102, type: 'qemu', name: 'db01', node: 'node02', status: 'running', template: false },
      { vmid: 103, type: 'qemu', name: 'files01', node: 'node03', status: 'stopped', template: false },
      { vmid: 9000, type: 'qemu', name: 'debian12-tmpl', node: 'node01', status: 'stopped', template: true },
      { vmid: 200, type: 'lxc', name: 'ct-dns01', node: 'node03', status: 'running', template: false },
      { vmid: 201, type: 'lxc', name: 'ct-proxy01', node: 'node01', status: 'stopped', template: false },
    ],
    storages: ['node01', 'node02', 'node03'].flatMap((n) => [
      { storage: 'local', node: n, shared: false, status: 'available', used: 12 * GiB, total: 98 * GiB },
      { storage: 'ceph-vm', node: n, shared: true, status: 'available', used: 200 * GiB, total: 5400 * GiB },
    ]),
    ha: {
      services: [{ sid: 'vm:101', node: 'node02', state: 'started', requestState: 'started' }],
      lrms: ['node01', 'node02', 'node03'].map((n) => ({
        node: n,
        status: `${n} (active, Tue Nov  4 09:00:00 2025)`,
      })),
      master: { node: 'node01', status: 'node01 (active, Tue Nov  4 09:00:00 2025)' },
    },
    replication: [
      {
        id: '103-0',
        guest: 103,
        target: 'node01',
        schedule: '*/15',
        disabled: false,
        source: 'node03',
        state: { lastSync: NOW / 1000 - 300, nextSync: NOW / 1000 + 600, failCount: 0, running: false },
      },
    ],
    tasks: [],
    readErrors: {},
  };
}

/**
 * The digest's reads without its backup section and vzdump runs: for the tests about other checks, which must not
 * depend on which guests the simulator has backed up (test/jobs/digest/digest-backups.test.ts is
 * about those).
 */
export function withoutBackups(input: DigestInput): DigestInput {
  const { backups: _backups, tasks, ...rest } = input;
  return { ...rest, ...(tasks ? { tasks: tasks.filter((t) => t.type !== 'vzdump') } : {}) };
}

/** A call of the digest's backup reads (a storage's backup content, a failed vzdump run's log). */
export function isBackupRead(call: { template?: string | null | undefined }): boolean {
  return /\/storage\/\{storage\}\/content$|\/tasks\/\{upid\}\/log$/.test(call.template ?? '');
}
