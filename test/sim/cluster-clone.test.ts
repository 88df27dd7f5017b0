import { afterEach, describe, expect, it } from 'vitest';
import { createCluster } from '../../src/sim/cluster/create-cluster.js';
import type { SimCluster } from '../../src/sim/cluster/sim-cluster.js';
import { apiFor, taskDone } from './cluster-test-kit.js';

let cluster: SimCluster;
afterEach(() => cluster?.close());

describe('clone and ids', () => {
  it('returns nextid as a string and refuses a taken vmid with a parameter error', async () => {
    cluster = createCluster({ speed: 200 });
    const api = apiFor(cluster);
    expect(await api.call('GET', '/cluster/nextid')).toBe('104');
    expect(await api.call('GET', '/cluster/nextid', { vmid: 150 })).toBe('150');
    await expect(api.call('GET', '/cluster/nextid', { vmid: 100 })).rejects.toMatchObject({
      status: 400,
      errors: { vmid: 'VM 100 already exists' },
    });
  });

  it('full-clones TestVM: the new VM is locked during the copy and progress lines carry percent', async () => {
    cluster = createCluster({ speed: 200 });
    const api = apiFor(cluster);
    const upid = (await api.call('POST', '/nodes/{node}/qemu/{vmid}/clone', {
      node: 'node01',
      vmid: 100,
      newid: 104,
      name: 'web02',
      full: true,
      pool: 'test',
    })) as string;
    expect(upid).toContain(':qmclone:100:');
    expect(cluster.guest(104)).toMatchObject({ name: 'web02', lock: 'clone', running: false, pool: 'test' });
    await taskDone(cluster, upid);
    const lines = cluster.task(upid)?.lines ?? [];
    const percents = lines
      .flatMap((l) => /transferred [\d.]+ \w+ of 32\.0 GiB \(([\d.]+)%\)/.exec(l)?.[1] ?? [])
      .map(Number);
    expect(percents.length).toBeGreaterThan(3);
    expect(percents.at(-1)).toBe(100);
    expect(lines.at(-1)).toBe('TASK OK');
    expect(cluster.guest(104)?.lock).toBeUndefined();
    const config = (await api.call('GET', '/nodes/{node}/qemu/{vmid}/config', {
      node: 'node01',
      vmid: 104,
    })) as Record<string, unknown>;
    expect(config).toMatchObject({ name: 'web02', scsi0: 'ceph-vm:vm-104-disk-0,iothread=1,size=32G' });
  });

  it('refuses a clone to an id that exists and a local-storage clone to another node', async () => {
    cluster = createCluster({ speed: 200 });
    const api = apiFor(cluster);
    await expect(
      api.call('POST', '/nodes/{node}/qemu/{vmid}/clone', { node: 'node01', vmid: 9000, newid: 101 }),
    ).rejects.toMatchObject({
      message: "VM 101 already exists on node 'node02'",
    });
    await expect(
      api.call('POST', '/nodes/{node}/qemu/{vmid}/clone', {
        node: 'node02',
        vmid: 102,
        newid: 150,
        target: 'node01',
        full: true,
      }),
    ).rejects.toMatchObject({ message: "can't clone VM to node 'node01' (VM uses local storage)" });
  });

  // How fast this is built is measured in bench/, not asserted here.
  it('builds a 64-node, 5000-guest cluster deterministically', () => {
    cluster = createCluster({ nodes: 64, guests: 5000 });
    expect(cluster.nodeNames()).toHaveLength(64);
    expect(cluster.guests()).toHaveLength(5000);
    expect(cluster.nodeAddress('node64')).toBe('127.20.1.164');
    const again = createCluster({ nodes: 64, guests: 5000 });
    expect(again.guests().map((g) => g.name)).toEqual(cluster.guests().map((g) => g.name));
    again.close();
  });
});
