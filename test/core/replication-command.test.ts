// `/pve replication [run <id>]` and `/pve replicate <vm> <node> [--schedule]`: the grammar, and the
// plan of a replicate that is refused before anyone is asked to approve it.
import { describe, expect, it } from 'vitest';
import { planReplicate } from '../../src/core/commands/replicate.js';
import { parseCommand } from '../../src/core/grammar/index.js';
import type { ClusterSnapshot } from '../../src/proxmox/read-cluster-snapshot.js';
import { parsedArgs } from './helpers/parsed-args.js';

const snapshot: ClusterSnapshot = {
  resources: [
    { id: 'qemu/100', type: 'qemu', vmid: 100, name: 'TestVM', node: 'node01', status: 'running' },
    { id: 'qemu/9000', type: 'qemu', vmid: 9000, name: 'tmpl', node: 'node01', template: true },
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

describe('the replication grammar', () => {
  it('lists by default, runs a job by its id, and refuses a run without one or a bad id', () => {
    expect(parseCommand('replication')).toMatchObject({
      ok: true,
      command: { name: 'replication', args: { action: 'list' } },
    });
    expect(parseCommand('replication run 100-0')).toMatchObject({
      ok: true,
      command: { name: 'replication', args: { action: 'run', id: '100-0' } },
    });
    expect(parseCommand('replication run')).toMatchObject({
      ok: false,
      error: expect.stringContaining('replication run needs a job id'),
    });
    expect(parseCommand('replication run 100')).toMatchObject({
      ok: false,
      error: expect.stringContaining('is not a replication job id (<vmid>-<number>, e.g. 100-0)'),
    });
  });

  it('reads replicate with its target and an optional schedule', () => {
    expect(parseCommand('replicate TestVM node02')).toMatchObject({
      ok: true,
      command: { name: 'replicate', args: { vm: 'TestVM', node: 'node02' } },
    });
    expect(parseCommand('replicate 100 node03 --schedule */30')).toMatchObject({
      ok: true,
      command: { name: 'replicate', args: { vm: '100', node: 'node03', schedule: '*/30' } },
    });
  });
});

describe('planning a replicate', () => {
  it('plans a job to another node, every 15 minutes unless told', () => {
    expect(planReplicate(parsedArgs('replicate', 'replicate testvm NODE02'), snapshot)).toEqual({
      ok: true,
      plan: {
        kind: 'replication-create',
        payload: {
          guest: { vmid: 100, type: 'qemu', node: 'node01', name: 'TestVM' },
          target: 'node02',
          schedule: '*/15',
        },
        text: 'replicate TestVM (qemu/100) node01 → node02, schedule */15 (the first sync copies its disks in full)',
      },
    });
    const args = parsedArgs('replicate', 'replicate 100 node02 --schedule */30');
    expect(planReplicate(args, snapshot)).toMatchObject({
      ok: true,
      plan: { payload: { schedule: '*/30' } },
    });
  });

  it("refuses the guest's own node, an offline or unknown node, and a template", () => {
    expect(planReplicate(parsedArgs('replicate', 'replicate TestVM node01'), snapshot)).toEqual({
      ok: false,
      message:
        'TestVM (qemu/100) lives on node01: replication copies its disks to another node. Choose one of node02, node03.',
    });
    const offline = planReplicate(parsedArgs('replicate', 'replicate TestVM node03'), snapshot);
    expect(offline.ok).toBe(false);
    expect(!offline.ok && offline.message).toMatch(/node03/);
    const unknown = planReplicate(parsedArgs('replicate', 'replicate TestVM node09'), snapshot);
    expect(unknown.ok).toBe(false);
    expect(!unknown.ok && unknown.message).toMatch(/node09/);
    expect(planReplicate(parsedArgs('replicate', 'replicate tmpl node02'), snapshot)).toMatchObject({
      ok: false,
    });
  });
});
