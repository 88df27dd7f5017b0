// The balance read of PVE's HA placement: the 9.x rules, or on 8.4 (rules 501) the groups. A 9.x
// cluster refuses to list the groups (500 "ha groups have been migrated to rules"), so they are
// never read there.
import { describe, expect, it } from 'vitest';
import { DEFAULT_BALANCE_SETTINGS } from '../../../src/config/balance-settings.js';
import { readBalanceInput } from '../../../src/jobs/balance/read-balance-input.js';
import type { KindState } from '../../../src/jobs/kind-state.js';
import { ProxmoxClient } from '../../../src/proxmox/proxmox-client.js';
import { PveError, PveErrorCode } from '../../../src/proxmox/pve-error.js';
import { type FixedAnswer, fixedTransport } from '../../proxmox/helpers/fixed-transport.js';

const state: KindState = { get: async () => undefined, set: async () => {} };

const MIGRATED = new PveError({
  code: PveErrorCode.ServerError,
  message: 'cannot index groups: ha groups have been migrated to rules',
  statusCode: 500,
});
const NO_RULES = new PveError({
  code: PveErrorCode.UnknownEndpoint,
  message: "Method 'GET /cluster/ha/rules' not implemented",
  statusCode: 501,
});

function reader(ha: Record<string, FixedAnswer>) {
  const transport = fixedTransport({
    'GET /cluster/status': [
      { type: 'cluster', id: 'cluster', name: 'MonCluster', nodes: 2, quorate: 1, version: 3 },
      { type: 'node', id: 'node/node01', name: 'node01', nodeid: 1, online: 1, local: 1, ip: '192.0.2.11' },
      { type: 'node', id: 'node/node02', name: 'node02', nodeid: 2, online: 1, local: 0, ip: '192.0.2.12' },
    ],
    'GET /cluster/resources': [],
    'GET /cluster/tasks': [],
    ...ha,
  });
  const pve = new ProxmoxClient({ transport });
  return { transport, ctx: { pve, state, signal: new AbortController().signal } };
}

describe('the balance read of HA placement', () => {
  it('reads the rules on PVE 9.x and never the groups (which answer 500 there)', async () => {
    const { transport, ctx } = reader({
      'GET /cluster/ha/rules': [
        {
          rule: 'web-on-node02',
          type: 'node-affinity',
          resources: 'vm:101',
          nodes: 'node02:2,node03',
          strict: 1,
          digest: 'b7aecaed566631a1cd15455bd372d2e509736d6e',
          order: 1,
        },
      ],
      'GET /cluster/ha/groups': MIGRATED,
    });
    const input = await readBalanceInput(ctx, DEFAULT_BALANCE_SETTINGS);
    expect(input.ha).toEqual([
      {
        name: 'HA rule web-on-node02',
        kind: 'node-affinity',
        sids: ['vm:101'],
        nodes: [
          { node: 'node02', priority: 2 },
          { node: 'node03', priority: 0 },
        ],
      },
    ]);
    expect(transport.calls).not.toContain('GET /cluster/ha/groups');
  });

  it('reads no placement from a 9.x cluster without rules, still without asking for groups', async () => {
    const { transport, ctx } = reader({ 'GET /cluster/ha/rules': [], 'GET /cluster/ha/groups': MIGRATED });
    expect((await readBalanceInput(ctx, DEFAULT_BALANCE_SETTINGS)).ha).toEqual([]);
    expect(transport.calls).not.toContain('GET /cluster/ha/groups');
  });

  it('falls back to the groups and their resources on PVE 8.4 (rules 501)', async () => {
    const { transport, ctx } = reader({
      'GET /cluster/ha/rules': NO_RULES,
      'GET /cluster/ha/groups': [
        { group: 'prefer-node02', type: 'group', nodes: 'node02:2,node03', nofailback: 1, digest: 'aa' },
      ],
      'GET /cluster/ha/resources': [
        { sid: 'vm:101', type: 'vm', state: 'started', group: 'prefer-node02', digest: 'bb' },
        { sid: 'ct:200', type: 'ct', digest: 'bb' },
      ],
    });
    const input = await readBalanceInput(ctx, DEFAULT_BALANCE_SETTINGS);
    expect(input.ha).toEqual([
      {
        name: 'HA group prefer-node02',
        kind: 'node-affinity',
        sids: ['vm:101'],
        nodes: [
          { node: 'node02', priority: 2 },
          { node: 'node03', priority: 0 },
        ],
      },
    ]);
    expect(transport.calls).toContain('GET /cluster/ha/groups');
  });
});
