import { describe, expect, it } from 'vitest';
import { DEFAULT_BALANCE_SETTINGS } from '../../src/config/balance-settings.js';
import { planBalanceRequest } from '../../src/core/commands/balance.js';
import { planClone } from '../../src/core/commands/clone.js';
import { planMigrate } from '../../src/core/commands/migrate.js';
import { planPower } from '../../src/core/commands/power.js';
import type { ClusterSnapshot } from '../../src/proxmox/read-cluster-snapshot.js';
import { parsedArgs } from './helpers/parsed-args.js';

const guest = (vmid: number, name: string, node: string, extra: Record<string, unknown> = {}) => ({
  id: `qemu/${vmid}`,
  type: 'qemu' as const,
  vmid,
  name,
  node,
  status: 'running',
  ...extra,
});

const snapshot: ClusterSnapshot = {
  resources: [
    guest(100, 'TestVM', 'node01'),
    guest(104, 'web', 'node01'),
    guest(105, 'web', 'node02', { status: 'stopped' }),
    guest(9000, 'debian12-tmpl', 'node01', { template: true, status: 'stopped' }),
    { id: 'lxc/200', type: 'lxc', vmid: 200, name: 'ct-dns01', node: 'node03', status: 'running' },
  ],
  status: {
    clusterName: 'MonCluster',
    quorate: true,
    nodes: [
      { name: 'node01', online: true, local: true },
      { name: 'node02', online: true, local: false },
      { name: 'node03', online: false, local: false },
    ],
  },
};

describe('planning guest commands', () => {
  it('shows a migration back resolved, with its mode', () => {
    const result = planMigrate(parsedArgs('migrate', 'migrate testvm NODE02'), snapshot);
    expect(result).toMatchObject({
      ok: true,
      plan: {
        kind: 'migrate',
        text: 'migrate TestVM (qemu/100) node01 → node02, live',
        payload: { target: 'node02', mode: 'auto' },
      },
    });
  });

  it('resolves a guest by vmid', () => {
    expect(planPower('reboot', '100', snapshot)).toMatchObject({
      ok: true,
      plan: { payload: { guest: { vmid: 100 } } },
    });
  });

  it('lists every candidate of an ambiguous name with id and node', () => {
    const result = planPower('stop', 'web', snapshot);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toContain(
      "'web' is ambiguous: web (qemu/104) on node01, web (qemu/105) on node02",
    );
  });

  it('suggests close names for an unknown guest', () => {
    const result = planPower('start', 'TestMV', snapshot);
    expect(!result.ok && result.message).toMatch(/No guest .*'TestMV'.*Did you mean `TestVM`/);
  });

  it('refuses an offline target node and names the nodes that exist', () => {
    const result = planMigrate(parsedArgs('migrate', 'migrate TestVM node03'), snapshot);
    expect(!result.ok && result.message).toBe(
      'Node node03 is offline. Nodes: node01, node02, node03 (offline).',
    );
    const unknown = planMigrate(parsedArgs('migrate', 'migrate TestVM node3'), snapshot);
    expect(!unknown.ok && unknown.message).toMatch(/No node 'node3'.*Did you mean `node03`\?/);
  });

  it('refuses what PVE would refuse later: live migration of a container, a linked clone of a non-template', () => {
    expect(planMigrate(parsedArgs('migrate', 'migrate ct-dns01 node01 --online'), snapshot).ok).toBe(false);
    expect(planClone(parsedArgs('clone', 'clone TestVM copy --linked'), snapshot).ok).toBe(false);
    expect(planClone(parsedArgs('clone', 'clone debian12-tmpl web02 --linked'), snapshot)).toMatchObject({
      ok: true,
      plan: {
        text: 'clone debian12-tmpl (qemu/9000) → web02 on node01, linked copy',
        payload: { full: false },
      },
    });
  });
});

describe('planning /pve balance', () => {
  it('starts a planning job with the operator defaults and the command flags', () => {
    const defaults = { balance: { ...DEFAULT_BALANCE_SETTINGS, headroomPercent: 20, maxMoves: 4 } };
    expect(
      planBalanceRequest(
        parsedArgs('balance', 'balance --method cpu --max-moves 2 --dry-run'),
        defaults.balance,
      ),
    ).toEqual({
      ok: true,
      plan: {
        kind: 'balance-plan',
        payload: { settings: { ...defaults.balance, method: 'cpu', maxMoves: 2 }, dryRun: true },
        text: 'plan a cpu balance (at most 2 migrations, 20 % headroom), dry run',
        approvalAfterJob: true,
      },
    });
    expect(planBalanceRequest(parsedArgs('balance', 'balance'), defaults.balance)).toMatchObject({
      plan: { payload: { settings: defaults.balance, dryRun: false } },
    });
  });
});
