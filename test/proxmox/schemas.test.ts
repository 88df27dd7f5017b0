import { describe, expect, it } from 'vitest';
import {
  clusterResourcesSchema,
  clusterStatusSchema,
  nextIdSchema,
} from '../../src/proxmox/schemas/cluster-schemas.js';
import {
  haGroupsSchema,
  haRuleSchema,
  haRulesSchema,
  parseHaNodeList,
} from '../../src/proxmox/schemas/ha-schemas.js';
import { pveBool, pveInt } from '../../src/proxmox/schemas/pve-values.js';

describe('lenient PVE values', () => {
  it('reads booleans as 0/1, "0"/"1" or true/false', () => {
    expect([1, 0, '1', '0', true, false].map((v) => pveBool.parse(v))).toEqual([
      true,
      false,
      true,
      false,
      true,
      false,
    ]);
    expect(pveBool.safeParse(2).success).toBe(false);
  });

  it('reads nextid as the string PVE really sends', () => {
    expect(nextIdSchema.parse('105')).toBe(105);
    expect(pveInt.safeParse('10x').success).toBe(false);
  });
});

describe('cluster resources schema', () => {
  it('types guest, node and storage entries, keeps unknown fields and other types', () => {
    const [vm, node, storage, pool] = clusterResourcesSchema.parse([
      {
        id: 'qemu/100',
        type: 'qemu',
        vmid: '100',
        node: 'node01',
        name: 'TestVM',
        template: 0,
        memhost: 5,
        status: 'running',
      },
      { id: 'node/node01', type: 'node', node: 'node01', status: 'online', 'cgroup-mode': 2 },
      { id: 'storage/node01/local', type: 'storage', storage: 'local', node: 'node01', shared: 0 },
      { id: '/pool/prod', type: 'pool', pool: 'prod' },
    ]);
    expect(vm).toMatchObject({ type: 'qemu', vmid: 100, template: false, memhost: 5 });
    expect(node).toMatchObject({ type: 'node', 'cgroup-mode': 2 });
    expect(storage).toMatchObject({ type: 'storage', shared: false });
    expect(pool).toMatchObject({ type: 'pool', pool: 'prod' });
  });

  it('reads 9.x network entries and kinds of entry no release has yet, whatever their fields', () => {
    const [network, future] = clusterResourcesSchema.parse([
      {
        id: 'network/node01/zone/localnetwork',
        type: 'network',
        'network-type': 'zone',
        network: 'localnetwork',
        node: 'node01',
        status: 'ok',
      },
      {
        id: 'memhost-xyz/node01/a',
        type: 'memhost-xyz',
        node: 'node01',
        status: { state: 'ok' },
        mem: 'n/a',
        uptime: 12,
        parts: [1, { x: null }],
      },
    ]);
    expect(network).toMatchObject({ type: 'network', network: 'localnetwork', 'network-type': 'zone' });
    expect(future).toMatchObject({
      type: 'memhost-xyz',
      node: 'node01',
      uptime: 12,
      parts: [1, { x: null }],
    });
    expect(future?.status).toBeUndefined();
    expect(future?.mem).toBeUndefined();
  });

  it('refuses a guest entry without a vmid instead of passing it off as another type', () => {
    const result = clusterResourcesSchema.safeParse([{ id: 'qemu/100', type: 'qemu', node: 'node01' }]);
    expect(result.success).toBe(false);
  });

  it('tolerates missing optional fields in cluster status', () => {
    const [cluster, node] = clusterStatusSchema.parse([
      { type: 'cluster', id: 'cluster', name: 'MonCluster', quorate: 1 },
      { type: 'node', id: 'node/node01', name: 'node01', online: true },
    ]);
    expect(cluster?.quorate).toBe(true);
    expect(node?.online).toBe(true);
  });
});

describe('HA rules and groups schemas', () => {
  it('reads node lists as PVE writes them, or as arrays, with priority 0 by default', () => {
    expect(parseHaNodeList('node01:2,node02')).toEqual([
      { node: 'node01', priority: 2 },
      { node: 'node02', priority: 0 },
    ]);
    expect(parseHaNodeList(['node03:10', 'node01'])).toEqual([
      { node: 'node03', priority: 10 },
      { node: 'node01', priority: 0 },
    ]);
    // split_list separators, and a node named twice keeps its last priority.
    expect(parseHaNodeList('node01:1; node02 node01:5')).toEqual([
      { node: 'node02', priority: 0 },
      { node: 'node01', priority: 5 },
    ]);
    expect(parseHaNodeList('')).toEqual([]);
    expect(() => parseHaNodeList('node01:high')).toThrow(/invalid HA node entry 'node01:high'/);
  });

  it('types both rule types, resources as a list of sids, and keeps unknown types and fields', () => {
    const [nodeRule, apart, future] = haRulesSchema.parse([
      {
        rule: 'prefer-01',
        type: 'node-affinity',
        resources: 'vm:100,ct:101',
        nodes: 'node01:2,node02',
        strict: 1,
        digest: 'abc',
        order: 1,
      },
      {
        rule: 'apart',
        type: 'resource-affinity',
        resources: ['vm:101', 'vm:102'],
        affinity: 'negative',
        disable: 1,
        comment: 'db and web',
        errors: { resources: ['rule is ineffective as there are less than two resources'] },
      },
      { rule: 'later', type: 'some-new-type', resources: 'vm:100', weight: 3 },
    ]);
    expect(nodeRule).toMatchObject({
      resources: ['vm:100', 'ct:101'],
      nodes: [
        { node: 'node01', priority: 2 },
        { node: 'node02', priority: 0 },
      ],
      strict: true,
      digest: 'abc',
    });
    expect(nodeRule?.disable).toBeUndefined();
    expect(apart).toMatchObject({
      resources: ['vm:101', 'vm:102'],
      affinity: 'negative',
      disable: true,
      comment: 'db and web',
      errors: { resources: ['rule is ineffective as there are less than two resources'] },
    });
    expect(apart?.nodes).toBeUndefined();
    expect(future).toMatchObject({ type: 'some-new-type', resources: ['vm:100'], weight: 3 });
    expect(
      haRuleSchema.safeParse({ rule: 'x', type: 'node-affinity', resources: 'vm:1', nodes: 'a:b' }).success,
    ).toBe(false);
  });

  it('types PVE 8.x groups with the same node list', () => {
    const [group] = haGroupsSchema.parse([
      {
        group: 'prefer-a',
        type: 'group',
        nodes: 'node01:2,node02:1',
        restricted: 1,
        nofailback: 0,
        digest: 'd',
      },
    ]);
    expect(group).toMatchObject({
      group: 'prefer-a',
      nodes: [
        { node: 'node01', priority: 2 },
        { node: 'node02', priority: 1 },
      ],
      restricted: true,
      nofailback: false,
    });
    expect(haGroupsSchema.parse([{ group: 'any', nodes: ['node03'] }])[0]?.nodes).toEqual([
      { node: 'node03', priority: 0 },
    ]);
  });
});
