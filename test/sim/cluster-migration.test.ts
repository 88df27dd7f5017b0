import { afterEach, describe, expect, it } from 'vitest';
import { createCluster } from '../../src/sim/cluster/create-cluster.js';
import { makeGuest } from '../../src/sim/cluster/make-guest.js';
import { seededRandom } from '../../src/sim/cluster/seeded-random.js';
import type { SimCluster } from '../../src/sim/cluster/sim-cluster.js';
import { apiFor, taskDone, waitFor } from './cluster-test-kit.js';

let cluster: SimCluster;
afterEach(() => cluster?.close());

const MIGRATE = '/nodes/{node}/qemu/{vmid}/migrate';
const STAMP = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d /;

describe('QEMU migration', () => {
  it('live-migrates TestVM with timestamped progress, a migrate lock, and the VM on the target at the end', async () => {
    cluster = createCluster({ speed: 100 });
    const api = apiFor(cluster);
    const upid = (await api.call('POST', MIGRATE, {
      node: 'node01',
      vmid: 100,
      target: 'node03',
      online: true,
    })) as string;
    expect(upid).toContain(':qmigrate:100:chatops@pve!bot:');
    const resources = (await api.call('GET', '/cluster/resources', { type: 'vm' })) as Array<
      Record<string, unknown>
    >;
    expect(resources.find((r) => r.vmid === 100)).toMatchObject({ lock: 'migrate', node: 'node01' });
    // qm shutdown forks at once; its worker's check_lock fails the task.
    const shutdown = (await api.call('POST', '/nodes/{node}/qemu/{vmid}/status/shutdown', {
      node: 'node01',
      vmid: 100,
    })) as string;
    expect((await taskDone(cluster, shutdown)).record.exitstatus).toBe('VM is locked (migrate)');
    await taskDone(cluster, upid);
    const lines = cluster.task(upid)?.lines ?? [];
    // 9.x: a running VM migrated without with-conntrack-state warns first (QemuMigrate.pm prepare).
    expect(lines[0]).toMatch(STAMP);
    expect(lines[0]).toContain(
      'conntrack state migration not supported or disabled, active connections might get dropped',
    );
    expect(lines[1]).toContain("starting migration of VM 100 to node 'node03' (127.20.1.103)");
    expect(
      lines.some((l) => l.endsWith('starting online/live migration on unix:/run/qemu-server/100.migrate')),
    ).toBe(true);
    expect(lines.some((l) => l.endsWith('migration cachesize: 256.0 MiB'))).toBe(true);
    // The query-migrate loop on completion: average speed, what was sent, then the status.
    const done = lines.findIndex((l) => l.endsWith('migration status: completed'));
    expect(lines[done - 2]).toMatch(/ average migration speed: [\d.]+ MiB\/s - downtime \d+ ms$/);
    expect(lines[done - 1]).toMatch(/ migration completed, transferred [\d.]+ GiB VM-state$/);
    const progress = lines.filter((l) =>
      / migration active, transferred [\d.]+ \w+ of 2\.0 GiB VM-state, [\d.]+ MiB\/s$/.test(l),
    );
    expect(progress.length).toBeGreaterThan(3);
    expect(lines.at(-2)).toMatch(/migration finished successfully \(duration 00:00:\d\d\)$/);
    expect(lines.at(-1)).toBe('TASK OK');
    expect(cluster.guest(100)).toMatchObject({ node: 'node03', running: true });
    expect(cluster.guest(100)?.lock).toBeUndefined();
  });

  it('refuses the obvious mistakes before a task exists', async () => {
    cluster = createCluster({ speed: 100 });
    const api = apiFor(cluster);
    await expect(
      api.call('POST', MIGRATE, { node: 'node01', vmid: 100, target: 'node01', online: true }),
    ).rejects.toMatchObject({
      status: 400,
      errors: { target: 'target is local node.' },
    });
    await expect(
      api.call('POST', MIGRATE, { node: 'node01', vmid: 100, target: 'node03' }),
    ).rejects.toMatchObject({
      status: 500,
      message: "can't migrate running VM without --online",
    });
    await expect(
      api.call('POST', MIGRATE, { node: 'node01', vmid: 100, target: 'node09', online: true }),
    ).rejects.toMatchObject({
      message: "no such cluster node 'node09'",
    });
    // Only the default cluster's seeded backup history: no task was started.
    expect(cluster.tasks.all().filter((task) => task.record.type !== 'vzdump')).toHaveLength(0);
  });

  it('fails a live migration with local disks unless with-local-disks is set, then mirrors the disk', async () => {
    cluster = createCluster({ speed: 200 });
    const api = apiFor(cluster);
    const precondition = (await api.call('GET', MIGRATE, { node: 'node02', vmid: 102 })) as Record<
      string,
      unknown
    >;
    expect(precondition).toMatchObject({
      running: 1,
      local_disks: [expect.objectContaining({ volid: 'local-lvm:vm-102-disk-0' })],
    });
    const refused = (await api.call('POST', MIGRATE, {
      node: 'node02',
      vmid: 102,
      target: 'node01',
      online: true,
    })) as string;
    await taskDone(cluster, refused);
    expect(cluster.task(refused)?.record.exitstatus).toBe('migration aborted');
    expect(cluster.task(refused)?.lines.join('\n')).toContain(
      "can't live migrate attached local disks without with-local-disks option",
    );
    const upid = (await api.call('POST', MIGRATE, {
      node: 'node02',
      vmid: 102,
      target: 'node01',
      online: true,
      'with-local-disks': true,
    })) as string;
    await taskDone(cluster, upid);
    const lines = cluster.task(upid)?.lines ?? [];
    expect(lines.some((l) => /drive-scsi0: transferred [\d.]+ \w+ of 64\.0 GiB \(\d+\.\d\d%\)/.test(l))).toBe(
      true,
    );
    expect(lines.at(-1)).toBe('TASK OK');
    expect(cluster.guest(102)?.node).toBe('node01');
  });

  it('migrates a container only in restart mode; online fails in the task', async () => {
    cluster = createCluster({ speed: 200 });
    const api = apiFor(cluster);
    const path = '/nodes/{node}/lxc/{vmid}/migrate';
    await expect(
      api.call('POST', path, { node: 'node03', vmid: 200, target: 'node01' }),
    ).rejects.toMatchObject({
      message: "can't migrate running container without --online or --restart",
    });
    const online = (await api.call('POST', path, {
      node: 'node03',
      vmid: 200,
      target: 'node01',
      online: true,
    })) as string;
    await taskDone(cluster, online);
    expect(cluster.task(online)?.lines.join('\n')).toContain(
      'lxc live migration is currently not implemented',
    );
    expect(cluster.task(online)?.record.exitstatus).toBe('migration aborted');
    const restart = (await api.call('POST', path, {
      node: 'node03',
      vmid: 200,
      target: 'node01',
      restart: true,
    })) as string;
    expect(restart).toContain(':vzmigrate:200:');
    await taskDone(cluster, restart);
    expect(cluster.task(restart)?.record.exitstatus).toBe('OK');
    expect(cluster.guest(200)).toMatchObject({ node: 'node01', running: true });
    const precondition = (await api.call('GET', path, { node: 'node01', vmid: 200 })) as Record<
      string,
      unknown
    >;
    expect(precondition).toEqual({
      running: 1,
      'allowed-nodes': ['node02', 'node03'],
      'not-allowed-nodes': {},
    });
  });

  it('turns a replication job around when a replicated VM moves to its target', async () => {
    cluster = createCluster({ speed: 200 });
    const api = apiFor(cluster);
    const upid = (await api.call('POST', MIGRATE, { node: 'node03', vmid: 103, target: 'node01' })) as string;
    await taskDone(cluster, upid);
    expect(cluster.task(upid)?.record.exitstatus).toBe('OK');
    expect(cluster.replication.jobs.get('103-0')?.target).toBe('node03');
    await expect(
      api.call('GET', '/nodes/{node}/replication/{id}/status', { node: 'node03', id: '103-0' }),
    ).rejects.toMatchObject({
      message: "no such replication job '103-0'",
    });
    expect(
      await api.call('GET', '/nodes/{node}/replication/{id}/status', { node: 'node01', id: '103-0' }),
    ).toMatchObject({
      guest: 103,
      source: 'node01',
      target: 'node03',
    });
  });

  it('leaves lock: migrate on the guest when the source node dies mid-migration', async () => {
    cluster = createCluster({ speed: 100 });
    const api = apiFor(cluster);
    const upid = (await api.call('POST', MIGRATE, {
      node: 'node01',
      vmid: 100,
      target: 'node03',
      online: true,
    })) as string;
    await waitFor(() => cluster.task(upid)?.lines.some((l) => l.includes('migration active')), 'transfer');
    cluster.setNodeOnline('node01', false);
    const task = await taskDone(cluster, upid);
    expect(task.record.exitstatus).toBe('unexpected status');
    cluster.setNodeOnline('node01', true);
    expect(cluster.guest(100)).toMatchObject({ node: 'node01', lock: 'migrate' });
    const start = (await api.call('POST', '/nodes/{node}/qemu/{vmid}/status/start', {
      node: 'node01',
      vmid: 100,
    })) as string;
    expect((await taskDone(cluster, start)).record.exitstatus).toBe('VM is locked (migrate)');
  });

  it('leaves lock: migrate on a container whose node dies during a restart migration', async () => {
    cluster = createCluster({ speed: 100 });
    const api = apiFor(cluster);
    const upid = (await api.call('POST', '/nodes/{node}/lxc/{vmid}/migrate', {
      node: 'node03',
      vmid: 200,
      target: 'node01',
      restart: true,
    })) as string;
    await waitFor(() => cluster.task(upid)?.lines.some((l) => l.includes('shutdown CT 200')), 'shutdown');
    cluster.setNodeOnline('node03', false);
    expect((await taskDone(cluster, upid)).record.exitstatus).toBe('unexpected status');
    expect(cluster.guest(200)).toMatchObject({ node: 'node03', lock: 'migrate' });
  });

  it('lists local devices and a local ISO in the precondition and refuses them in the task', async () => {
    cluster = createCluster({ speed: 200 });
    const api = apiFor(cluster);
    const spec = {
      type: 'qemu' as const,
      node: 'node01',
      memoryMiB: 1024,
      cores: 1,
      storage: 'ceph-vm',
      diskGiB: 8,
    };
    cluster.addGuest(
      makeGuest(
        { ...spec, vmid: 110, name: 'gpu01', running: true, localDevices: { hostpci0: '0000:01:00.0' } },
        cluster.now(),
        seededRandom(1),
      ),
    );
    cluster.addGuest(
      makeGuest(
        { ...spec, vmid: 111, name: 'install01', running: false, cdrom: 'local:iso/debian-12.iso' },
        cluster.now(),
        seededRandom(2),
      ),
    );
    cluster.addGuest(
      makeGuest(
        { ...spec, vmid: 112, name: 'ci01', running: false, cdrom: 'local-lvm:vm-112-cloudinit' },
        cluster.now(),
        seededRandom(3),
      ),
    );

    expect(await api.call('GET', MIGRATE, { node: 'node01', vmid: 110 })).toMatchObject({
      local_resources: ['hostpci0'],
      local_disks: [],
    });
    expect(await api.call('GET', MIGRATE, { node: 'node01', vmid: 111 })).toMatchObject({
      local_resources: [],
      local_disks: [
        expect.objectContaining({ volid: 'local:iso/debian-12.iso', cdrom: 1, drivename: 'ide2' }),
      ],
    });
    expect(
      await api.call('GET', '/nodes/{node}/qemu/{vmid}/config', { node: 'node01', vmid: 111 }),
    ).toMatchObject({ ide2: 'local:iso/debian-12.iso,media=cdrom' });

    const gpu = (await api.call('POST', MIGRATE, {
      node: 'node01',
      vmid: 110,
      target: 'node02',
      online: true,
    })) as string;
    expect((await taskDone(cluster, gpu)).record.exitstatus).toBe('migration aborted');
    expect(cluster.task(gpu)?.lines.join('\n')).toContain(
      "can't migrate VM which uses local devices: hostpci0",
    );
    const iso = (await api.call('POST', MIGRATE, { node: 'node01', vmid: 111, target: 'node02' })) as string;
    expect((await taskDone(cluster, iso)).record.exitstatus).toBe('migration aborted');
    expect(cluster.task(iso)?.lines.join('\n')).toContain(
      "can't migrate local cdrom image 'local:iso/debian-12.iso'",
    );
    // A cloud-init drive does not block: PVE rebuilds it on the target.
    const ci = (await api.call('POST', MIGRATE, { node: 'node01', vmid: 112, target: 'node02' })) as string;
    expect((await taskDone(cluster, ci)).record.exitstatus).toBe('OK');
    expect(cluster.guest(112)?.node).toBe('node02');
  });
});
