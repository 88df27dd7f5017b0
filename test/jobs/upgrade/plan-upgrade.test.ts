// The rolling-upgrade planner and the reading of a node's packages: pure functions, so every
// rule is checked here on small, explicit clusters.
import { describe, expect, it } from 'vitest';
import {
  compareKernels,
  kernelReleaseOf,
  summarizeNodeUpdates,
} from '../../../src/jobs/upgrade/node-updates.js';
import { planUpgrade } from '../../../src/jobs/upgrade/plan-upgrade.js';
import { describePlan, planHeadline } from '../../../src/jobs/upgrade/upgrade-plan.js';
import type { GuestResource, NodeResource } from '../../../src/proxmox/schemas/cluster-schemas.js';

const GiB = 1024 ** 3;

function node(name: string, usedGiB: number, online = true): NodeResource {
  return {
    id: `node/${name}`,
    type: 'node',
    node: name,
    status: online ? 'online' : 'offline',
    maxmem: 64 * GiB,
    mem: usedGiB * GiB,
  };
}

function guest(vmid: number, name: string, on: string, extra: Partial<GuestResource> = {}): GuestResource {
  return {
    id: `qemu/${vmid}`,
    type: 'qemu',
    vmid,
    name,
    node: on,
    status: 'running',
    maxmem: 4 * GiB,
    mem: 2 * GiB,
    ...extra,
  };
}

const KERNEL_UPDATE = [
  { Package: 'pve-manager', OldVersion: '9.1.3', Version: '9.1.4' },
  { Package: 'proxmox-kernel-6.17.4-1-pve-signed', Version: '6.17.4-1' },
];

function updates(name: string, pending = KERNEL_UPDATE) {
  return summarizeNodeUpdates(
    name,
    pending,
    [{ Package: 'proxmox-kernel-6.17.2-1-pve-signed', CurrentState: 'Installed' }],
    '6.17.2-1-pve',
  );
}

describe('reading a node’s packages', () => {
  it('finds the kernel and pve-manager updates and says a reboot is needed', () => {
    expect(updates('node01')).toEqual({
      node: 'node01',
      packages: [
        { name: 'proxmox-kernel-6.17.4-1-pve-signed', to: '6.17.4-1' },
        { name: 'pve-manager', from: '9.1.3', to: '9.1.4' },
      ],
      kernel: { running: '6.17.2-1-pve', next: '6.17.4-1-pve' },
      manager: { from: '9.1.3', to: '9.1.4' },
      rebootNeeded: true,
    });
  });

  it('needs a reboot for a kernel installed but not running, and none when up to date', () => {
    const installedNotRunning = summarizeNodeUpdates(
      'n',
      [],
      [{ Package: 'proxmox-kernel-6.17.4-1-pve-signed', CurrentState: 'Installed' }],
      '6.17.2-1-pve',
    );
    expect(installedNotRunning.rebootNeeded).toBe(true);
    expect(summarizeNodeUpdates('n', [], [], '6.17.2-1-pve')).toEqual({
      node: 'n',
      packages: [],
      rebootNeeded: false,
    });
  });

  it('reads kernel package names and orders releases numerically', () => {
    expect(kernelReleaseOf('proxmox-kernel-6.17.4-1-pve-signed')).toBe('6.17.4-1-pve');
    expect(kernelReleaseOf('pve-kernel-5.15.131-2-pve')).toBe('5.15.131-2-pve');
    expect(kernelReleaseOf('proxmox-kernel-helper')).toBeUndefined();
    expect(['6.17.4-1-pve', '6.17.10-1-pve', '6.8.12-3-pve'].sort(compareKernels)).toEqual([
      '6.17.10-1-pve',
      '6.17.4-1-pve',
      '6.8.12-3-pve',
    ]);
  });
});

describe('planning a rolling upgrade', () => {
  const nodes = [node('node01', 20), node('node02', 10), node('node03', 30)];
  const guests = [
    guest(100, 'TestVM', 'node01'),
    guest(101, 'web01', 'node02', { hastate: 'started' }),
    guest(102, 'db01', 'node02'),
    guest(103, 'idle', 'node03', { status: 'stopped' }),
    guest(200, 'ct-web', 'node03', { type: 'lxc', id: 'lxc/200' }),
    guest(201, 'ct-big', 'node03', { type: 'lxc', id: 'lxc/201', maxmem: 16 * GiB }),
    guest(9000, 'tmpl', 'node01', { status: 'stopped', template: true }),
  ];

  it('goes lightest node first, moves running non-HA guests to the roomiest other node, leaves HA to maintenance mode', () => {
    const result = planUpgrade({
      nodes: ['node01', 'node02', 'node03'],
      nodeResources: nodes,
      guests,
      updates: ['node01', 'node02', 'node03'].map((n) => updates(n)),
      reboot: 'auto',
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const { plan } = result;
    expect(plan.steps.map((s) => s.node)).toEqual(['node01', 'node02', 'node03']);
    const [n1, n2, n3] = plan.steps;
    expect(n1!.moves).toEqual([{ vmid: 100, type: 'qemu', name: 'TestVM', to: 'node02' }]);
    expect(n2!.haGuests).toEqual([{ vmid: 101, type: 'qemu', name: 'web01' }]);
    expect(n2!.moves).toEqual([{ vmid: 102, type: 'qemu', name: 'db01', to: 'node01' }]);
    // Two guests leave node03: the second goes where the first left more room.
    expect(n3!.moves.map((m) => [m.vmid, m.to])).toEqual([
      [200, 'node01'],
      [201, 'node02'],
    ]);
    expect(plan.steps.every((s) => s.expectReboot && s.kernel?.next === '6.17.4-1-pve')).toBe(true);
    expect(planHeadline(plan)).toBe(
      'upgrade node01 → node02 → node03, one node at a time, lightest first (reboot auto: 3 of 3 expected)',
    );
    const text = describePlan(plan);
    expect(text).toContain(
      '1. node01: 2 updates, kernel 6.17.2-1-pve → 6.17.4-1-pve, pve-manager 9.1.3 → 9.1.4, reboot; moves TestVM (qemu/100) → node02 live',
    );
    expect(text).toContain('web01 (qemu/101) by HA maintenance mode');
    expect(text).toContain('ct-web (lxc/200) → node01 restart mode');
  });

  it('skips up-to-date nodes unless --reboot always, and refuses when nothing is left', () => {
    const upToDate = ['node01', 'node02', 'node03'].map((n) => updates(n, []));
    const none = planUpgrade({
      nodes: ['node01'],
      nodeResources: nodes,
      guests,
      updates: upToDate,
      reboot: 'auto',
    });
    expect(none).toEqual({ ok: false, message: 'nothing to upgrade: node01 up to date' });
    const always = planUpgrade({
      nodes: ['node01'],
      nodeResources: nodes,
      guests,
      updates: upToDate,
      reboot: 'always',
    });
    expect(always.ok && always.plan.steps[0]).toMatchObject({
      node: 'node01',
      packages: 0,
      expectReboot: true,
    });
    const never = planUpgrade({
      nodes: ['node01', 'node02'],
      nodeResources: nodes,
      guests,
      updates: [updates('node01'), updates('node02', [])],
      reboot: 'never',
    });
    expect(never.ok && never.plan.steps.map((s) => [s.node, s.expectReboot])).toEqual([['node01', false]]);
    expect(never.ok && never.plan.skipped).toEqual([{ node: 'node02', reason: 'up to date' }]);
  });

  it('keeps the order of nodes named one by one', () => {
    const result = planUpgrade({
      nodes: ['node03', 'node01'],
      keepOrder: true,
      nodeResources: nodes,
      guests,
      updates: [updates('node03'), updates('node01')],
      reboot: 'auto',
    });
    expect(result.ok && result.plan.steps.map((s) => s.node)).toEqual(['node03', 'node01']);
    expect(result.ok && planHeadline(result.plan)).toContain('in the order named');
  });

  it('never moves a guest to an offline node or to the node being drained', () => {
    const result = planUpgrade({
      nodes: ['node01'],
      nodeResources: [node('node01', 20), node('node02', 60), node('node03', 0, false)],
      guests,
      updates: [updates('node01')],
      reboot: 'auto',
    });
    expect(result.ok && result.plan.steps[0]!.moves.map((m) => m.to)).toEqual(['node02']);
  });
});
