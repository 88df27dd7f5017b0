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

  it('refuses a local-storage clone to another node before the task', async () => {
    cluster = createCluster({ speed: 200 });
    const api = apiFor(cluster);
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

  // qemu-server clone_vm: `-f $conffile` sees only this node's qemu-server directory before the
  // fork; pmxcfs refuses the temporary config inside the worker for an id that exists elsewhere.
  it('qemu: refuses a newid on the same node at once, one on another node inside the task', async () => {
    cluster = createCluster({ speed: 200 });
    const api = apiFor(cluster);
    await expect(
      api.call('POST', '/nodes/{node}/qemu/{vmid}/clone', { node: 'node02', vmid: 101, newid: 102 }),
    ).rejects.toMatchObject({ status: 500, message: 'unable to create VM 102: config file already exists' });

    const upid = (await api.call('POST', '/nodes/{node}/qemu/{vmid}/clone', {
      node: 'node01',
      vmid: 9000,
      newid: 101,
    })) as string;
    expect(upid).toContain(':qmclone:9000:');
    const task = await taskDone(cluster, upid);
    const error =
      "close (rename) atomic file '/etc/pve/nodes/node01/qemu-server/101.conf' failed: File exists";
    expect(task.lines).toEqual(['creating a clone of VM 9000 with ID 101', `TASK ERROR: ${error}`]);
    expect(task.record.exitstatus).toBe(error);
    // The existing VM is untouched.
    expect(cluster.guest(101)).toMatchObject({ node: 'node02', name: 'web01', type: 'qemu' });

    // A CT with that id on the same node is not in qemu-server's directory either.
    const ct = (await api.call('POST', '/nodes/{node}/qemu/{vmid}/clone', {
      node: 'node01',
      vmid: 9000,
      newid: 201,
    })) as string;
    expect((await taskDone(cluster, ct)).record.exitstatus).toBe(
      "close (rename) atomic file '/etc/pve/nodes/node01/qemu-server/201.conf' failed: File exists",
    );
  });

  it('qemu: a linked clone of a non-template names the volume', async () => {
    cluster = createCluster({ speed: 200 });
    const api = apiFor(cluster);
    await expect(
      api.call('POST', '/nodes/{node}/qemu/{vmid}/clone', {
        node: 'node01',
        vmid: 100,
        newid: 150,
        full: false,
      }),
    ).rejects.toMatchObject({
      message: "Linked clone feature is not supported for 'ceph-vm:vm-100-disk-0' (scsi0)",
    });
  });

  it("qemu: a target storage without 'images' content is a parameter error", async () => {
    cluster = createCluster({ speed: 200 });
    const api = apiFor(cluster);
    await expect(
      api.call('POST', '/nodes/{node}/qemu/{vmid}/clone', {
        node: 'node01',
        vmid: 100,
        newid: 150,
        storage: 'local',
      }),
    ).rejects.toMatchObject({
      status: 400,
      errors: { storage: "storage 'local' does not support vm images" },
    });
  });

  // pve-container clone_vm: create_and_lock_config (check_vmid_unused) runs before the fork.
  it('lxc: refuses a newid that exists anywhere before the task, and leaves the source unlocked', async () => {
    cluster = createCluster({ speed: 200 });
    const api = apiFor(cluster);
    await expect(
      api.call('POST', '/nodes/{node}/lxc/{vmid}/clone', { node: 'node01', vmid: 201, newid: 101 }),
    ).rejects.toMatchObject({ status: 500, message: "VM 101 already exists on node 'node02'" });
    await expect(
      api.call('POST', '/nodes/{node}/lxc/{vmid}/clone', { node: 'node01', vmid: 201, newid: 200 }),
    ).rejects.toMatchObject({ message: "CT 200 already exists on node 'node03'" });
    expect(cluster.guest(201)?.lock).toBeUndefined();
    await expect(
      api.call('POST', '/nodes/{node}/lxc/{vmid}/clone', { node: 'node03', vmid: 200, newid: 150 }),
    ).rejects.toMatchObject({
      message: 'Full clone of a running container is only possible from a snapshot',
    });
    expect(cluster.guest(150)).toBeUndefined();
    expect(cluster.guest(200)?.lock).toBeUndefined();
  });

  it("lxc: the new CT is locked 'create' and the source 'disk' while the task runs", async () => {
    cluster = createCluster({ speed: 200 });
    const api = apiFor(cluster);
    const upid = (await api.call('POST', '/nodes/{node}/lxc/{vmid}/clone', {
      node: 'node01',
      vmid: 201,
      newid: 150,
      hostname: 'ct-copy',
    })) as string;
    expect(upid).toContain(':vzclone:201:');
    expect(cluster.guest(150)).toMatchObject({ lock: 'create', name: 'ct-copy' });
    expect(cluster.guest(201)?.lock).toBe('disk');
    const task = await taskDone(cluster, upid);
    expect(task.lines[0]).toBe('creating a clone of container 201 with ID 150');
    expect(task.lines.at(-1)).toBe('TASK OK');
    expect(cluster.guest(150)?.lock).toBeUndefined();
    expect(cluster.guest(201)?.lock).toBeUndefined();
  });

  // qemu-server create_vm: "unable to create VM <vmid> - " + check_vmid_unused's own text.
  it('create: names what holds the id, and starts with "Execute autostart"', async () => {
    cluster = createCluster({ speed: 200 });
    const api = apiFor(cluster);
    await expect(
      api.call('POST', '/nodes/{node}/qemu', { node: 'node01', vmid: 200, memory: '1024' }),
    ).rejects.toMatchObject({ message: "unable to create VM 200 - CT 200 already exists on node 'node03'" });
    const upid = (await api.call('POST', '/nodes/{node}/qemu', {
      node: 'node01',
      vmid: 150,
      memory: 'current=1024',
      scsi0: 'local-lvm:8,iothread=1',
      start: true,
    })) as string;
    const task = await taskDone(cluster, upid);
    expect(task.lines).toContain('Execute autostart');
    expect(cluster.guest(150)).toMatchObject({ memoryMiB: 1024, running: true });
    expect(cluster.guest(150)?.disks[0]).toMatchObject({ storage: 'local-lvm', sizeGiB: 8 });
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
