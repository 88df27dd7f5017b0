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
