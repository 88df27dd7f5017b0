import { describe, expect, it } from 'vitest';
import {
  clusterResourcesSchema,
  clusterStatusSchema,
  nextIdSchema,
} from '../../src/proxmox/schemas/cluster-schemas.js';
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
