import { afterEach, describe, expect, it } from 'vitest';
import { createCluster } from '../../src/sim/cluster/create-cluster.js';
import type { SimCluster } from '../../src/sim/cluster/sim-cluster.js';
import { apiFor, taskDone } from './cluster-test-kit.js';

// qemu-server src/PVE/API2/Qemu.pm destroy_vm and pve-container src/PVE/API2/LXC.pm destroy_vm.
let cluster: SimCluster;
afterEach(() => cluster?.close());

const QM = '/nodes/{node}/qemu/{vmid}';
const CT = '/nodes/{node}/lxc/{vmid}';

describe('DELETE of a guest', () => {
  it('qemu: refuses a running VM, HA without purge and replication without purge before the task', async () => {
    cluster = createCluster({ speed: 200 });
    const api = apiFor(cluster);
    await expect(api.call('DELETE', QM, { node: 'node01', vmid: 100 })).rejects.toMatchObject({
      status: 500,
      message: 'VM 100 is running - destroy failed',
    });
    await expect(api.call('DELETE', QM, { node: 'node02', vmid: 101 })).rejects.toMatchObject({
      message: 'unable to remove VM 101 - used in HA resources and purge parameter not set.',
    });
    // With purge the HA check passes, the running check still refuses.
    await expect(api.call('DELETE', QM, { node: 'node02', vmid: 101, purge: true })).rejects.toMatchObject({
      message: 'VM 101 is running - destroy failed',
    });
    await expect(api.call('DELETE', QM, { node: 'node03', vmid: 103 })).rejects.toMatchObject({
      message: "There is a replication job '103-0' for guest '103' - Please remove that first.",
    });
    await expect(api.call('DELETE', QM, { node: 'node01', vmid: 103 })).rejects.toMatchObject({
      message: "Configuration file 'nodes/node01/qemu-server/103.conf' does not exist",
    });
    await expect(
      api.call('DELETE', QM, { node: 'node03', vmid: 103, purge: true, skiplock: true }),
    ).rejects.toMatchObject({ status: 400, errors: { skiplock: 'Only root may use this option.' } });
  });

  it('qemu: purge=1 destroys the VM and removes its replication jobs', async () => {
    cluster = createCluster({ speed: 200 });
    const api = apiFor(cluster);
    const upid = (await api.call('DELETE', QM, { node: 'node03', vmid: 103, purge: true })) as string;
    expect(upid).toContain(':qmdestroy:103:');
    const task = await taskDone(cluster, upid);
    expect(task.lines).toContain('purging VM 103 from related configurations..');
    expect(task.lines.at(-1)).toBe('TASK OK');
    expect(cluster.guest(103)).toBeUndefined();
    expect(cluster.replication.jobsOf(103)).toEqual([]);
    const resources = (await api.call('GET', '/cluster/resources', {})) as Array<{ vmid?: number }>;
    expect(resources.some((r) => r.vmid === 103)).toBe(false);
  });

  it('qemu: a lock fails the task, not the request; skiplock (root) passes it', async () => {
    cluster = createCluster({ speed: 200 });
    const api = apiFor(cluster);
    const guest = cluster.guest(9000);
    if (!guest) throw new Error('no template 9000');
    guest.lock = 'backup';
    const upid = (await api.call('DELETE', QM, { node: 'node01', vmid: 9000 })) as string;
    const task = await taskDone(cluster, upid);
    expect(task.record.exitstatus).toBe('VM is locked (backup)');
    expect(cluster.guest(9000)).toBeDefined();
    // A template is not refused as such.
    const forced = (await api.call(
      'DELETE',
      QM,
      { node: 'node01', vmid: 9000, skiplock: true },
      { user: 'root@pam' },
    )) as string;
    expect((await taskDone(cluster, forced)).record.exitstatus).toBe('OK');
    expect(cluster.guest(9000)).toBeUndefined();
  });

  it('qemu: purge=1 on a stopped HA-managed VM removes its HA resource', async () => {
    cluster = createCluster({ speed: 200 });
    const api = apiFor(cluster);
    const guest = cluster.guest(101);
    if (!guest) throw new Error('no VM 101');
    cluster.markStopped(guest);
    const upid = (await api.call('DELETE', QM, { node: 'node02', vmid: 101, purge: true })) as string;
    const task = await taskDone(cluster, upid);
    expect(task.lines).toContain('NOTE: removed VM 101 from HA resource configuration.');
    expect(task.record.exitstatus).toBe('OK');
    expect(cluster.ha.verboseState(guest)).toBeUndefined();
  });

  it('lxc: a running CT needs force, which stops it in the task; a locked CT is refused at once', async () => {
    cluster = createCluster({ speed: 200 });
    const api = apiFor(cluster);
    await expect(api.call('DELETE', CT, { node: 'node03', vmid: 200 })).rejects.toMatchObject({
      message: 'unable to destroy CT 200 - container is running',
    });
    const upid = (await api.call('DELETE', CT, { node: 'node03', vmid: 200, force: true })) as string;
    expect(upid).toContain(':vzdestroy:200:');
    const task = await taskDone(cluster, upid);
    expect(task.lines[0]).toBe('forced to stop CT 200 before destroying!');
    expect(task.record.exitstatus).toBe('OK');
    expect(cluster.guest(200)).toBeUndefined();

    const ct = cluster.guest(201);
    if (!ct) throw new Error('no CT 201');
    ct.lock = 'backup';
    await expect(api.call('DELETE', CT, { node: 'node01', vmid: 201 })).rejects.toMatchObject({
      message: 'CT is locked (backup)',
    });
  });
});
