// The states the daily digest reports, made the way they arise on a real cluster: an HA service
// the CRM gave up on, a replication job that fails or falls behind, a storage filling up, and a
// certificate close to its end.
import { afterEach, describe, expect, it } from 'vitest';
import { createCluster } from '../../src/sim/cluster/create-cluster.js';
import type { SimCluster } from '../../src/sim/cluster/sim-cluster.js';
import { apiFor } from './cluster-test-kit.js';

let cluster: SimCluster;
afterEach(() => cluster?.close());

type Entry = Record<string, unknown>;
const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('HA error state', () => {
  it('shows a service the CRM gave up on as `error`, stopped, and keeps it there until disabled', async () => {
    cluster = createCluster({ speed: 200 });
    const api = apiFor(cluster);
    cluster.ha.failService('vm:101');

    const current = (await api.call('GET', '/cluster/ha/status/current')) as Entry[];
    expect(current.find((e) => e.id === 'service:vm:101')).toMatchObject({
      state: 'error',
      crm_state: 'error',
      status: 'vm:101 (node02, error)',
      request_state: 'started',
    });
    const resources = (await api.call('GET', '/cluster/resources', { type: 'vm' })) as Entry[];
    expect(resources.find((e) => e.vmid === 101)).toMatchObject({ hastate: 'error', status: 'stopped' });

    // The CRM leaves it alone however many rounds pass…
    cluster.ha.round();
    cluster.ha.round();
    expect(cluster.haState(101)).toBe('error');
    expect(cluster.guest(101)?.running).toBe(false);
    // …until the admin disables the resource.
    await api.call('PUT', '/cluster/ha/resources/{sid}', { sid: 'vm:101', state: 'disabled' });
    cluster.ha.round();
    expect(cluster.haState(101)).toBe('stopped');
  });

  it('refuses an unknown service', () => {
    cluster = createCluster({ speed: 200 });
    expect(() => cluster.ha.failService('vm:999')).toThrow(/no HA service/);
  });
});

describe('replication faults', () => {
  const status = async (api: ReturnType<typeof apiFor>, node: string) =>
    ((await api.call('GET', '/nodes/{node}/replication', { node })) as Entry[]).find((e) => e.id === '103-0');

  it('fails runs with pvesr’s error from the export/import pipe, counts them, and recovers', async () => {
    cluster = createCluster({ speed: 200 });
    const api = apiFor(cluster);
    cluster.replication.failRuns('103-0');
    await cluster.replication.run('103-0');
    const failed = await status(api, 'node03');
    expect(failed).toMatchObject({ fail_count: 1, target: 'node01', source: 'node03' });
    expect(failed?.error).toMatch(
      /^command 'set -o pipefail && pvesm export local-zfs:vm-103-disk-0 zfs - .*\| \/usr\/bin\/ssh .*root@127\.20\.1\.101 -- pvesm import .*' failed: exit code 1$/,
    );
    // pvesr retries a failed job after 5 minutes, not on its schedule.
    expect(failed?.next_sync).toBe((failed?.last_try as number) + 300);

    cluster.replication.failRuns('103-0', 'zfs error: cannot receive: out of space');
    await cluster.replication.run('103-0');
    expect(await status(api, 'node03')).toMatchObject({
      fail_count: 2,
      error: 'zfs error: cannot receive: out of space',
    });

    cluster.replication.clearRunFailures('103-0');
    await cluster.replication.run('103-0');
    const ok = await status(api, 'node03');
    expect(ok?.fail_count).toBe(0);
    expect(ok).not.toHaveProperty('error');
  });

  it('falls behind while the node’s pvescheduler is stopped, and catches up once it runs again', async () => {
    cluster = createCluster({ speed: 200 });
    const api = apiFor(cluster);
    cluster.replication.stopScheduler('node03', Date.now() - 3_600_000);
    const late = await status(api, 'node03');
    // The job's last run was at the last */15 slot before the stop, its next one is long overdue.
    expect(late?.last_sync).toBeLessThanOrEqual(nowSeconds() - 3600);
    expect(late?.last_sync).toBeGreaterThan(nowSeconds() - 3600 - 15 * 60);
    expect(late?.next_sync).toBe((late?.last_sync as number) + 15 * 60);
    expect(late).not.toHaveProperty('pid');
    // Reading again does not run it either.
    expect(await status(api, 'node03')).not.toHaveProperty('pid');

    cluster.replication.startScheduler('node03');
    expect(await status(api, 'node03')).toHaveProperty('pid');
  });
});

describe('storage use', () => {
  const usage = async (api: ReturnType<typeof apiFor>) =>
    new Map(
      ((await api.call('GET', '/cluster/resources', { type: 'storage' })) as Entry[]).map((e) => [
        e.id,
        (e.disk as number) / (e.maxdisk as number),
      ]),
    );

  it('fills a local storage on one node only, and a shared one everywhere', async () => {
    cluster = createCluster({ speed: 200 });
    const api = apiFor(cluster);
    const before = await usage(api);
    cluster.fillStorage('local', 0.86, 'node02');
    cluster.fillStorage('ceph-vm', 0.91);
    const after = await usage(api);
    expect(after.get('storage/node02/local')).toBeCloseTo(0.86, 3);
    expect(after.get('storage/node01/local')).toBe(before.get('storage/node01/local'));
    for (const node of ['node01', 'node02', 'node03'])
      expect(after.get(`storage/${node}/ceph-vm`)).toBeCloseTo(0.91, 3);
    const own = (await api.call('GET', '/nodes/{node}/storage', { node: 'node02' })) as Entry[];
    expect(own.find((e) => e.storage === 'local')?.used_fraction).toBeCloseTo(0.86, 3);

    // Filling to less than the guests' disks use leaves their use as it is.
    cluster.fillStorage('local', 0, 'node02');
    expect((await usage(api)).get('storage/node02/local')).toBe(before.get('storage/node02/local'));
  });

  it('needs the node for a local storage', () => {
    cluster = createCluster({ speed: 200 });
    expect(() => cluster.fillStorage('local', 0.9)).toThrow(/local: name the node/);
    expect(() => cluster.fillStorage('nope', 0.9, 'node01')).toThrow(/no such simulated storage/);
  });
});

describe('certificate expiry', () => {
  it('reports the node certificate’s new notafter, the CA unchanged', async () => {
    cluster = createCluster({ speed: 200 });
    const api = apiFor(cluster);
    const notAfter = Date.now() + 10 * 86_400_000;
    cluster.setCertificateExpiry('node02', notAfter);
    const info = (await api.call('GET', '/nodes/{node}/certificates/info', { node: 'node02' })) as Entry[];
    expect(info.find((e) => e.filename === 'pve-ssl.pem')?.notafter).toBe(Math.floor(notAfter / 1000));
    expect(info.find((e) => e.filename === 'pve-root-ca.pem')?.notafter).toBeGreaterThan(
      nowSeconds() + 5 * 365 * 86_400,
    );
    const other = (await api.call('GET', '/nodes/{node}/certificates/info', { node: 'node01' })) as Entry[];
    expect(other.find((e) => e.filename === 'pve-ssl.pem')?.notafter).toBeGreaterThan(
      nowSeconds() + 365 * 86_400,
    );
  });
});
