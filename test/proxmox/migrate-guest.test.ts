import { describe, expect, it } from 'vitest';
import { parseUpid } from '../../src/proxmox/parse-upid.js';
import type { TaskProgress } from '../../src/proxmox/wait-for-task.js';
import { haResource } from '../../src/sim/cluster/cluster-seed.js';
import { makeGuest } from '../../src/sim/cluster/make-guest.js';
import { seededRandom } from '../../src/sim/cluster/seeded-random.js';
import { FAST_POLL, useSimulatedCluster } from './helpers/simulated-cluster.js';

const cluster = useSimulatedCluster();

describe('migration', () => {
  it('follows an HA-managed VM until it really runs on the target', async () => {
    const client = cluster.client();
    const [web01] = await client.findGuests('web01');
    expect(web01?.hastate).toBeDefined();
    const reports: TaskProgress[] = [];
    const result = await client.migrate(web01!, 'node03', {
      hastate: web01!.hastate!,
      pollInterval: FAST_POLL,
      timeoutMs: 20_000,
      onProgress: (p) => void reports.push(p),
    });
    expect(result.plan).toMatchObject({ haManaged: true, online: true, target: 'node03' });
    expect(parseUpid(result.upid).type).toBe('hamigrate');
    expect(result.ha?.guest).toMatchObject({ vmid: 101, node: 'node03', hastate: 'started' });
    expect(parseUpid(result.ha!.migrationUpid!)).toMatchObject({
      type: 'qmigrate',
      id: '101',
      user: 'root@pam',
    });
    expect(reports.flatMap((r) => r.newLines)).toContain('TASK OK');
    const [after] = await client.findGuests('web01');
    expect(after).toMatchObject({ node: 'node03', status: 'running' });
  });

  it('migrates a guest whose HA resource is ignored with a plain qmigrate and returns once it is done', async () => {
    const { sim } = cluster;
    sim.cluster.ha.add(haResource('qemu', 100, 'ignored'));
    try {
      const client = cluster.client();
      const [testVm] = await client.findGuests('TestVM');
      expect(testVm).toMatchObject({ node: 'node01', hastate: 'ignored' });
      const started = Date.now();
      const result = await client.migrate(testVm!, 'node02', {
        hastate: testVm!.hastate!,
        pollInterval: FAST_POLL,
        timeoutMs: 20_000,
      });
      // A 2 GiB VM at 100×: seconds, not the HA follow's timeout.
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(parseUpid(result.upid).type).toBe('qmigrate');
      expect(result.plan.haManaged).toBe(false);
      expect(result.task.exitstatus).toBe('OK');
      expect(result.ha).toBeUndefined();
      expect((await client.findGuests('TestVM'))[0]).toMatchObject({ node: 'node02', hastate: 'ignored' });

      // Even a plan that expected HA (stored before the resource was set to ignored) follows
      // the UPID PVE returned: a qmigrate is waited for as a task, nothing more.
      const back = await client.planMigration((await client.findGuests('TestVM'))[0]!, 'node01');
      const upid = await client.startMigration(back);
      const again = await client.waitForMigration({ ...back, haManaged: true }, upid, {
        pollInterval: FAST_POLL,
        timeoutMs: 20_000,
      });
      expect(again.ha).toBeUndefined();
      expect((await client.findGuests('TestVM'))[0]?.node).toBe('node01');
    } finally {
      sim.cluster.ha.remove('vm:100');
    }
  });

  it('migrates a VM with a local disk with with-local-disks=1', async () => {
    const client = cluster.client();
    const [db01] = await client.findGuests('db01');
    const result = await client.migrate(db01!, 'node01', { pollInterval: FAST_POLL });
    expect(result.plan).toMatchObject({ withLocalDisks: true, online: true });
    expect(result.plan.localDisks.length).toBeGreaterThan(0);
    const sent = cluster.sim.requests.findLast(
      (r) => r.method === 'POST' && r.path === '/nodes/node02/qemu/102/migrate',
    );
    expect(sent?.rawParams).toMatchObject({ target: 'node01', online: '1', 'with-local-disks': '1' });
    expect((await client.findGuests('db01'))[0]?.node).toBe('node01');
  });

  it('migrates a running container in restart mode, never online', async () => {
    const client = cluster.client();
    const [ct] = await client.findGuests('ct-dns01');
    const result = await client.migrate(ct!, 'node02', { pollInterval: FAST_POLL });
    expect(result.plan).toMatchObject({ restart: true, online: false });
    const sent = cluster.sim.requests.findLast(
      (r) => r.method === 'POST' && r.path === '/nodes/node03/lxc/200/migrate',
    );
    expect(sent?.rawParams).toEqual({ target: 'node02', restart: '1' });
    expect(parseUpid(result.upid).type).toBe('vzmigrate');
    expect((await client.findGuests('ct-dns01'))[0]).toMatchObject({ node: 'node02', status: 'running' });
  });

  it('migrates a stopped VM offline', async () => {
    const client = cluster.client();
    const [files01] = await client.findGuests('files01');
    const plan = await client.planMigration(files01!, 'node01');
    expect(plan).toMatchObject({ running: false, online: false });
    expect(plan.params).not.toHaveProperty('online');
  });

  it('refuses early, without a POST, when the target is the current node', async () => {
    const client = cluster.client();
    const [files01] = await client.findGuests('files01');
    const before = cluster.sim.requests.length;
    const error = await client.planMigration(files01!, files01!.node).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'PVE_MIGRATION_BLOCKED', vmid: 103 });
    expect(cluster.sim.requests.length).toBe(before);
  });

  it('refuses early, without a POST, a VM with a local ISO attached', async () => {
    const { sim } = cluster;
    sim.cluster.addGuest(
      makeGuest(
        {
          vmid: 120,
          type: 'qemu',
          name: 'install02',
          node: 'node01',
          running: true,
          memoryMiB: 1024,
          cores: 1,
          storage: 'ceph-vm',
          diskGiB: 8,
          cdrom: 'local:iso/debian-12.iso',
          localDevices: { usb0: 'host=1234:5678' },
        },
        sim.cluster.now(),
        seededRandom(7),
      ),
    );
    const error = await cluster
      .client()
      .planMigration({ type: 'qemu', vmid: 120, node: 'node01' }, 'node02')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'PVE_MIGRATION_BLOCKED',
      vmid: 120,
      reasons: [
        'the running VM uses local devices: usb0',
        'local CD-ROM image attached: local:iso/debian-12.iso',
      ],
    });
    expect(sim.requests.some((r) => r.method === 'POST' && r.path === '/nodes/node01/qemu/120/migrate')).toBe(
      false,
    );
  });
});
