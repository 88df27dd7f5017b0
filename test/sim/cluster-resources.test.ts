// /cluster/resources, /version and /nodes/{node}/storage as pve-manager and pve-storage build them.
import { afterEach, describe, expect, it } from 'vitest';
import { createCluster } from '../../src/sim/cluster/create-cluster.js';
import type { SimCluster } from '../../src/sim/cluster/sim-cluster.js';
import { PveHttpError } from '../../src/sim/pve-http-error.js';
import { apiFor } from './cluster-test-kit.js';

let cluster: SimCluster;
afterEach(() => cluster?.close());

type Entry = Record<string, unknown>;

describe('cluster resources', () => {
  it('lists pools, guests, nodes, storages and the localnetwork zone per node, in that order', async () => {
    cluster = createCluster({ speed: 200 });
    const resources = (await apiFor(cluster).call('GET', '/cluster/resources')) as Entry[];
    const kinds = resources.map((r) => r.type).filter((type, i, all) => all.indexOf(type) === i);
    expect(kinds).toEqual(['pool', 'qemu', 'lxc', 'node', 'storage', 'network']);
    // Guests in Perl's string order of vmids: 200 and 201 before 9000.
    const vmids = resources.filter((r) => r.vmid !== undefined).map((r) => r.vmid);
    expect(vmids).toEqual([100, 101, 102, 103, 200, 201, 9000]);
    expect(resources.filter((r) => r.type === 'network')).toEqual(
      ['node01', 'node02', 'node03'].map((node) => ({
        id: `network/${node}/zone/localnetwork`,
        type: 'network',
        'network-type': 'zone',
        network: 'localnetwork',
        node,
        status: 'ok',
      })),
    );
    // Every guest has memhost, containers 0.
    expect(resources.find((r) => r.vmid === 200)).toMatchObject({ memhost: 0 });
    expect(resources.find((r) => r.vmid === 100)?.memhost).toEqual(expect.any(Number));
  });

  it('sums a pool’s running guests into its entry; a pool without one has no statistics', async () => {
    cluster = createCluster({ speed: 200 });
    const resources = (await apiFor(cluster).call('GET', '/cluster/resources')) as Entry[];
    const members = resources.filter((r) => r.pool === 'prod' && r.type !== 'pool');
    expect(members.map((r) => r.vmid)).toEqual([101, 102]);
    const sum = (key: string) => members.reduce((total, r) => total + Number(r[key]), 0);
    const prod = resources.find((r) => r.id === '/pool/prod');
    expect(prod).toMatchObject({ mem: sum('mem'), maxmem: sum('maxmem'), maxcpu: sum('maxcpu') });
    expect(prod?.uptime).toBe(Math.max(...members.map((r) => Number(r.uptime))));
    const weighted =
      members.reduce((total, r) => total + Number(r.cpu) * Number(r.maxcpu), 0) / sum('maxcpu');
    expect(prod?.cpu).toBeCloseTo(weighted, 10);
    expect(resources.find((r) => r.id === '/pool/test')).toEqual({
      id: '/pool/test',
      pool: 'test',
      type: 'pool',
    });
  });

  it('filters by type: sdn finds nothing on 9.x, a node-restricted storage only on its node', async () => {
    cluster = createCluster({ speed: 200 });
    const api = apiFor(cluster);
    expect(await api.call('GET', '/cluster/resources', { type: 'sdn' })).toEqual([]);
    const storages = (await api.call('GET', '/cluster/resources', { type: 'storage' })) as Entry[];
    expect(storages.every((r) => r.type === 'storage')).toBe(true);
    expect(storages.filter((r) => r.storage === 'usb-backup').map((r) => r.node)).toEqual(['node03']);
    expect(storages.filter((r) => r.storage === 'local').map((r) => r.node)).toEqual([
      'node01',
      'node02',
      'node03',
    ]);
  });

  it('answers /version without console when datacenter.cfg sets none', async () => {
    cluster = createCluster({ speed: 200 });
    const version = (await apiFor(cluster).call('GET', '/version')) as Entry;
    expect(Object.keys(version).sort()).toEqual(['release', 'repoid', 'version']);
  });
});

describe('node storage', () => {
  it('lists a storage restricted to other nodes disabled, with zero sizes and no used_fraction', async () => {
    cluster = createCluster({ speed: 200 });
    const api = apiFor(cluster);
    const onNode01 = (await api.call('GET', '/nodes/{node}/storage', { node: 'node01' })) as Entry[];
    expect(onNode01.map((s) => s.storage)).toEqual([
      'ceph-vm',
      'local',
      'local-lvm',
      'local-zfs',
      'pbs-backup',
      'usb-backup',
    ]);
    expect(onNode01.find((s) => s.storage === 'usb-backup')).toEqual({
      storage: 'usb-backup',
      type: 'dir',
      content: 'backup',
      shared: 0,
      total: 0,
      used: 0,
      avail: 0,
      active: 0,
      enabled: 0,
    });
    const onNode03 = (await api.call('GET', '/nodes/{node}/storage', { node: 'node03' })) as Entry[];
    expect(onNode03.find((s) => s.storage === 'usb-backup')).toMatchObject({
      active: 1,
      enabled: 1,
      used_fraction: expect.any(Number),
    });
    // A content filter drops it where it is disabled.
    const backups = (await api.call('GET', '/nodes/{node}/storage', {
      node: 'node01',
      content: 'backup',
    })) as Entry[];
    expect(backups.map((s) => s.storage)).toEqual(['local', 'pbs-backup']);
    await expect(
      api.call('GET', '/nodes/{node}/storage', { node: 'node01', storage: 'nope' }),
    ).rejects.toThrow(PveHttpError);
  });
});
