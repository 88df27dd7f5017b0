// Guest snapshots in the simulator: what the handlers refuse before forking, what the tasks do
// (locks, the parent tree, RAM state), and that a rollback brings back the config of then.
import { afterEach, describe, expect, it } from 'vitest';
import { createCluster } from '../../src/sim/cluster/create-cluster.js';
import type { SimCluster } from '../../src/sim/cluster/sim-cluster.js';
import { PveHttpError } from '../../src/sim/pve-http-error.js';
import { type Api, apiFor, taskDone } from './cluster-test-kit.js';

type Entry = Record<string, unknown>;

let cluster: SimCluster | undefined;
afterEach(() => cluster?.close());

function setup(): { sim: SimCluster; api: Api } {
  cluster = createCluster({ speed: 1000 });
  return { sim: cluster, api: apiFor(cluster) };
}

const SNAP = '/nodes/{node}/qemu/{vmid}/snapshot';
const vm100 = { node: 'node01', vmid: 100 };

async function snapshot(sim: SimCluster, api: Api, snapname: string, extra: Entry = {}) {
  const upid = (await api.call('POST', SNAP, { ...vm100, snapname, ...extra } as never)) as string;
  return taskDone(sim, upid);
}

describe('snapshots', () => {
  it('takes a snapshot under the lock `snapshot`, then lists it with current last and sets parent', async () => {
    const { sim, api } = setup();
    const upid = (await api.call('POST', SNAP, {
      ...vm100,
      snapname: 'pre-upgrade',
      description: 'before',
    })) as string;
    expect(upid).toMatch(/^UPID:node01:[0-9A-F]{8}:[0-9A-F]{8}:[0-9A-F]{8}:qmsnapshot:100:chatops@pve!bot:$/);
    const locked = (await api.call('GET', '/nodes/{node}/qemu/{vmid}/config', vm100)) as Entry;
    expect(locked.lock).toBe('snapshot');
    const task = await taskDone(sim, upid);
    expect(task.lines).toEqual(["snapshotting 'drive-scsi0' (ceph-vm:vm-100-disk-0)", 'TASK OK']);

    const list = (await api.call('GET', SNAP, vm100)) as Entry[];
    expect(list).toEqual([
      { name: 'pre-upgrade', snaptime: expect.any(Number), vmstate: 0, description: 'before' },
      {
        name: 'current',
        digest: expect.any(String),
        running: 1,
        description: 'You are here!',
        parent: 'pre-upgrade',
      },
    ]);
    const config = (await api.call('GET', '/nodes/{node}/qemu/{vmid}/config', vm100)) as Entry;
    expect(config).toMatchObject({ parent: 'pre-upgrade' });
    expect(config).not.toHaveProperty('lock');
  });

  it('saves the RAM of a running VM with vmstate, not of a stopped one', async () => {
    const { sim, api } = setup();
    const task = await snapshot(sim, api, 'with-ram', { vmstate: true });
    expect(task.lines[0]).toBe("saving VM state and RAM using storage 'ceph-vm'");
    expect(task.lines).toContainEqual(
      expect.stringMatching(/^completed saving the VM state in \d+s, saved [\d.]+ (MiB|GiB)$/),
    );
    const config = (await api.call('GET', `${SNAP}/{snapname}/config`, {
      ...vm100,
      snapname: 'with-ram',
    })) as Entry;
    expect(config).toMatchObject({
      name: 'TestVM',
      vmstate: 'ceph-vm:vm-100-state-with-ram',
      runningmachine: expect.any(String),
      snaptime: expect.any(Number),
    });
    expect(config).not.toHaveProperty('digest');

    const stopped = { node: 'node03', vmid: 103 };
    await taskDone(
      sim,
      (await api.call('POST', SNAP, { ...stopped, snapname: 'cold', vmstate: true })) as string,
    );
    const list = (await api.call('GET', SNAP, stopped)) as Entry[];
    expect(list[0]).toMatchObject({ name: 'cold', vmstate: 0 });
  });

  it('refuses reserved names before forking, a used name and a missing snapshot inside the task', async () => {
    const { sim, api } = setup();
    await expect(api.call('POST', SNAP, { ...vm100, snapname: 'current' })).rejects.toThrow(
      new PveHttpError(500, "unable to use snapshot name 'current' (reserved name)"),
    );
    await expect(api.call('POST', SNAP, { ...vm100, snapname: 'PENDING' })).rejects.toThrow(
      "unable to use snapshot name 'PENDING' (reserved name)",
    );
    await expect(
      api.call('POST', '/nodes/{node}/lxc/{vmid}/snapshot', {
        node: 'node03',
        vmid: 200,
        snapname: 'vzdump',
      }),
    ).rejects.toThrow("unable to use snapshot name 'vzdump' (reserved name)");

    await snapshot(sim, api, 'twice');
    const again = await snapshot(sim, api, 'twice');
    expect(again.record.exitstatus).toBe("snapshot name 'twice' already used");
    const rollback = await taskDone(
      sim,
      (await api.call('POST', `${SNAP}/{snapname}/rollback`, { ...vm100, snapname: 'nosuch' })) as string,
    );
    expect(rollback.lines).toEqual(["TASK ERROR: snapshot 'nosuch' does not exist"]);
    await expect(
      api.call('GET', `${SNAP}/{snapname}/config`, { ...vm100, snapname: 'nosuch' }),
    ).rejects.toThrow("snapshot 'nosuch' does not exist");
  });

  it('rolls back to the config of then: stops the VM first, keeps the description, starts with start=1', async () => {
    const { sim, api } = setup();
    await snapshot(sim, api, 'before');
    await api.call('PUT', '/nodes/{node}/qemu/{vmid}/config', {
      ...vm100,
      memory: '4096',
      description: 'changed',
    });
    expect(sim.guest(100)?.memoryMiB).toBe(4096);

    const upid = (await api.call('POST', `${SNAP}/{snapname}/rollback`, {
      ...vm100,
      snapname: 'before',
    })) as string;
    expect(upid).toContain(':qmrollback:100:');
    const task = await taskDone(sim, upid);
    expect(task.record.exitstatus).toBe('OK');
    const config = (await api.call('GET', '/nodes/{node}/qemu/{vmid}/config', vm100)) as Entry;
    expect(config).toMatchObject({ memory: '2048', parent: 'before', description: 'changed' });
    // A snapshot without RAM: the VM stays stopped unless start=1.
    expect(sim.guest(100)?.running).toBe(false);

    await taskDone(
      sim,
      (await api.call('POST', `${SNAP}/{snapname}/rollback`, {
        ...vm100,
        snapname: 'before',
        start: true,
      })) as string,
    );
    expect(sim.guest(100)?.running).toBe(true);
  });

  it('resumes a VM rolled back to a snapshot with RAM', async () => {
    const { sim, api } = setup();
    await snapshot(sim, api, 'with-ram', { vmstate: true });
    await taskDone(
      sim,
      (await api.call('POST', `${SNAP}/{snapname}/rollback`, { ...vm100, snapname: 'with-ram' })) as string,
    );
    expect(sim.guest(100)?.running).toBe(true);
  });

  it('refuses a rollback while a backup holds the lock, and a migration while a snapshot does', async () => {
    const { sim, api } = setup();
    await snapshot(sim, api, 'before');
    // Both in the same tick: the backup takes its lock before the rollback's worker looks.
    const backup = (await api.call('POST', '/nodes/{node}/vzdump', {
      node: 'node01',
      vmid: '100',
      storage: 'local',
    })) as string;
    const rollback = (await api.call('POST', `${SNAP}/{snapname}/rollback`, {
      ...vm100,
      snapname: 'before',
    })) as string;
    expect((await taskDone(sim, rollback)).lines).toEqual(['TASK ERROR: VM is locked (backup)']);
    await taskDone(sim, backup);

    const taking = (await api.call('POST', SNAP, { ...vm100, snapname: 'next' })) as string;
    await expect(
      api.call('POST', '/nodes/{node}/qemu/{vmid}/migrate', { ...vm100, target: 'node02', online: true }),
    ).rejects.toThrow(new PveHttpError(500, 'VM is locked (snapshot)'));
    await taskDone(sim, taking);
  });

  it('deletes a snapshot under `snapshot-delete` and relinks the tree', async () => {
    const { sim, api } = setup();
    await snapshot(sim, api, 'first');
    await snapshot(sim, api, 'second');
    const upid = (await api.call('DELETE', `${SNAP}/{snapname}`, { ...vm100, snapname: 'first' })) as string;
    expect(upid).toContain(':qmdelsnapshot:100:');
    expect(sim.guest(100)?.lock).toBe('snapshot-delete');
    await taskDone(sim, upid);
    expect((await api.call('GET', SNAP, vm100)) as Entry[]).toEqual([
      expect.not.objectContaining({ parent: expect.anything() }),
      expect.objectContaining({ name: 'current', parent: 'second' }),
    ]);
    await taskDone(
      sim,
      (await api.call('DELETE', `${SNAP}/{snapname}`, { ...vm100, snapname: 'second' })) as string,
    );
    const config = (await api.call('GET', '/nodes/{node}/qemu/{vmid}/config', vm100)) as Entry;
    expect(config).not.toHaveProperty('parent');
    expect(sim.guest(100)?.lock).toBeUndefined();
  });

  it('lists container snapshots without vmstate and updates a snapshot description', async () => {
    const { sim, api } = setup();
    const ct = { node: 'node03', vmid: 200 };
    const upid = (await api.call('POST', '/nodes/{node}/lxc/{vmid}/snapshot', {
      ...ct,
      snapname: 'dns',
    })) as string;
    expect(upid).toContain(':vzsnapshot:200:');
    expect((await taskDone(sim, upid)).lines).toEqual(['TASK OK']);
    await api.call('PUT', '/nodes/{node}/lxc/{vmid}/snapshot/{snapname}/config', {
      ...ct,
      snapname: 'dns',
      description: 'bind9',
    });
    const list = (await api.call('GET', '/nodes/{node}/lxc/{vmid}/snapshot', ct)) as Entry[];
    expect(list[0]).toEqual({ name: 'dns', snaptime: expect.any(Number), description: 'bind9' });
    expect(
      await api.call('GET', '/nodes/{node}/lxc/{vmid}/snapshot/{snapname}', { ...ct, snapname: 'dns' }),
    ).toEqual([{ cmd: 'rollback' }, { cmd: 'config' }]);
  });
});
