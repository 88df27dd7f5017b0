// Autocomplete answers from memory: one cluster read serves every keystroke, a stale list is
// served while it refreshes, a failed read keeps the last names.
import { describe, expect, it } from 'vitest';
import { ClusterDirectory } from '../../src/core/cluster-directory.js';
import type { ClusterSnapshot } from '../../src/proxmox/read-cluster-snapshot.js';

function snapshot(guests: Array<[number, string, string, string?]>): ClusterSnapshot {
  return {
    resources: guests.map(([vmid, name, node, type]) => ({
      id: `${type ?? 'qemu'}/${vmid}`,
      type: (type ?? 'qemu') as 'qemu',
      vmid,
      name,
      node,
      status: 'running',
    })),
    status: {
      clusterName: 'MonCluster',
      quorate: true,
      nodes: ['node01', 'node02', 'node03'].map((name, i) => ({
        name,
        online: i !== 2,
        local: i === 0,
      })),
    },
  };
}

function directory(reads: ClusterSnapshot[], clock = { now: 0 }) {
  let calls = 0;
  const d = new ClusterDirectory({
    readCluster: async () => {
      const next = reads[Math.min(calls, reads.length - 1)]!;
      calls++;
      if (next.resources.length === 0 && next.status.nodes.length === 0) throw new Error('PVE is down');
      return next;
    },
    maxAgeMs: 30_000,
    clock: () => clock.now,
  });
  return { d, calls: () => calls };
}

const CLUSTER = snapshot([
  [100, 'TestVM', 'node01'],
  [101, 'web01', 'node02'],
  [102, 'web02', 'node02'],
  [103, 'test-db', 'node03', 'lxc'],
]);

describe('ClusterDirectory', () => {
  it('offers prefix matches first, then names that contain what was typed', async () => {
    const { d } = directory([CLUSTER]);
    expect(await d.suggest('guest', 'Tes')).toEqual([
      { label: 'test-db (103) · node03 · running', value: 'test-db' },
      { label: 'TestVM (100) · node01 · running', value: 'TestVM' },
    ]);
    expect((await d.suggest('guest', 'b0')).map((s) => s.value)).toEqual(['web01', 'web02']);
    expect((await d.suggest('guest', '101')).map((s) => s.value)).toEqual(['web01']);
    expect(await d.suggest('node', 'node0')).toEqual([
      { label: 'node01 · online', value: 'node01' },
      { label: 'node02 · online', value: 'node02' },
      { label: 'node03 · offline', value: 'node03' },
    ]);
    expect((await d.suggest('guest-or-node', '')).length).toBe(7);
  });

  it('reads the cluster once for many keystrokes, and again in the background once stale', async () => {
    const clock = { now: 0 };
    const later = snapshot([[100, 'TestVM', 'node03']]);
    const { d, calls } = directory([CLUSTER, later], clock);
    for (const typed of ['T', 'Te', 'Tes', 'Test']) await d.suggest('guest', typed);
    expect(calls()).toBe(1);
    clock.now = 31_000;
    // Served from the stale list at once; the refresh runs behind it.
    expect((await d.suggest('guest', 'TestVM'))[0]!.label).toContain('node01');
    expect(calls()).toBe(2);
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect((await d.suggest('guest', 'TestVM'))[0]!.label).toContain('node03');
  });

  it('fills in a vmid where a name is not unique', async () => {
    const { d } = directory([
      snapshot([
        [100, 'twin', 'node01'],
        [101, 'twin', 'node02'],
      ]),
    ]);
    expect((await d.suggest('guest', 'twin')).map((s) => s.value)).toEqual(['100', '101']);
  });

  it('keeps the last names when a refresh fails, and uses names from reads made for commands', async () => {
    const clock = { now: 0 };
    const down = { resources: [], status: { quorate: false, nodes: [] } } as ClusterSnapshot;
    const { d } = directory([CLUSTER, down], clock);
    await d.suggest('guest', 'web');
    clock.now = 60_000;
    await d.suggest('guest', 'web');
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect((await d.suggest('guest', 'web')).map((s) => s.value)).toEqual(['web01', 'web02']);
    d.remember(snapshot([[200, 'fresh', 'node01']]));
    expect((await d.suggest('guest', 'fr')).map((s) => s.value)).toEqual(['fresh']);
  });
});
