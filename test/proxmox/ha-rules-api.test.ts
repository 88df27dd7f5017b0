import { describe, expect, it } from 'vitest';
import { createHaRule, listHaGroups, listHaRules } from '../../src/proxmox/ha-rules-api.js';
import { PveError, PveErrorCode } from '../../src/proxmox/pve-error.js';
import { fixedTransport } from './helpers/fixed-transport.js';

describe('HA rules API', () => {
  it('passes the 501 of PVE 8.4 on unchanged, so the caller can read the groups instead', async () => {
    const notImplemented = new PveError({
      code: PveErrorCode.UnknownEndpoint,
      message: "Method 'GET /cluster/ha/rules' not implemented",
      statusCode: 501,
    });
    const transport = fixedTransport({
      'GET /cluster/ha/rules': notImplemented,
      'GET /cluster/ha/groups': [
        { group: 'prefer-a', nodes: 'node01:2,node02', restricted: 1, type: 'group' },
      ],
    });
    await expect(listHaRules(transport)).rejects.toBe(notImplemented);
    expect(await listHaGroups(transport)).toMatchObject([
      {
        group: 'prefer-a',
        nodes: [
          { node: 'node01', priority: 2 },
          { node: 'node02', priority: 0 },
        ],
        restricted: true,
      },
    ]);
  });

  it('reads a rule generated from an unmigrated HA group, whose strict is JSON null', async () => {
    // pve-ha-manager Groups.pm migrate_groups_to_rules copies the group's `restricted`, undef
    // when the group never set it: the JSON answer then has "strict": null.
    const transport = fixedTransport({
      'GET /cluster/ha/rules': [
        {
          rule: 'ha-group-prefer-node02',
          type: 'node-affinity',
          resources: 'vm:101',
          nodes: 'node02:2,node03',
          strict: null,
          comment: "Generated from HA group 'prefer-node02'.",
          digest: 'b7aecaed566631a1cd15455bd372d2e509736d6e',
          order: 1,
        },
      ],
    });
    const [rule] = await listHaRules(transport);
    expect(rule).toMatchObject({ rule: 'ha-group-prefer-node02', resources: ['vm:101'], strict: null });
    expect(rule?.nodes).toEqual([
      { node: 'node02', priority: 2 },
      { node: 'node03', priority: 0 },
    ]);
  });

  it('passes the 500 of PVE 9.x for the migrated groups on unchanged', async () => {
    const migrated = new PveError({
      code: PveErrorCode.ServerError,
      message: 'cannot index groups: ha groups have been migrated to rules',
      statusCode: 500,
    });
    const transport = fixedTransport({ 'GET /cluster/ha/groups': migrated });
    await expect(listHaGroups(transport)).rejects.toBe(migrated);
  });

  it('sends lists comma-separated and booleans as PVE wants them', async () => {
    const sent: Record<string, unknown>[] = [];
    const transport = fixedTransport({
      'POST /cluster/ha/rules': (params) => {
        sent.push(params);
        return null;
      },
    });
    await createHaRule(transport, {
      rule: 'prefer-01',
      type: 'node-affinity',
      resources: ['vm:100', 'ct:101'],
      nodes: [{ node: 'node01', priority: 2 }, { node: 'node02' }],
      strict: true,
    });
    await createHaRule(transport, {
      rule: 'apart',
      type: 'resource-affinity',
      resources: ['vm:101', 'vm:102'],
      affinity: 'negative',
      disable: false,
    });
    expect(sent[0]).toMatchObject({
      rule: 'prefer-01',
      type: 'node-affinity',
      resources: 'vm:100,ct:101',
      nodes: 'node01:2,node02',
      strict: true,
    });
    expect(sent[1]).toMatchObject({ resources: 'vm:101,vm:102', affinity: 'negative', disable: false });
    expect(sent[1]?.nodes).toBeUndefined();
  });
});
