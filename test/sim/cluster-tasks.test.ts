import { afterEach, describe, expect, it } from 'vitest';
import { createCluster } from '../../src/sim/cluster/create-cluster.js';
import type { SimCluster } from '../../src/sim/cluster/sim-cluster.js';
import { formatUpid, parseUpid } from '../../src/sim/cluster/upid.js';
import { PveHttpError } from '../../src/sim/pve-http-error.js';
import { apiFor, taskDone, waitFor } from './cluster-test-kit.js';

let cluster: SimCluster;
afterEach(() => cluster?.close());

const UPID = /^UPID:node01:[0-9A-F]{8}:[0-9A-F]{8,9}:[0-9A-F]{8}:qmstart:100:chatops@pve!bot:$/;

describe('tasks', () => {
  it('formats UPIDs with uppercase 8-digit hex and a trailing colon, and parses them back', () => {
    const upid = formatUpid({
      node: 'n1',
      pid: 0xc346,
      pstart: 0x165a0ce4,
      starttime: 0x68d7279c,
      type: 'aptupdate',
      id: '',
      user: 'root@pam',
    });
    expect(upid).toBe('UPID:n1:0000C346:165A0CE4:68D7279C:aptupdate::root@pam:');
    expect(parseUpid(upid)).toMatchObject({ node: 'n1', pid: 0xc346, type: 'aptupdate', id: '' });
    expect(parseUpid('UPID:n1:nothex')).toBeNull();
  });

  it('runs a QEMU start of a running VM as a task that ends with the real error', async () => {
    cluster = createCluster({ speed: 200 });
    const api = apiFor(cluster);
    const before = Math.floor(Date.now() / 1000);
    const upid = (await api.call('POST', '/nodes/{node}/qemu/{vmid}/status/start', {
      node: 'node01',
      vmid: 100,
    })) as string;
    const after = Math.floor(Date.now() / 1000);
    expect(upid).toMatch(UPID);
    // Bracketed: the call may straddle a second boundary.
    expect(parseUpid(upid)?.starttime).toBeGreaterThanOrEqual(before);
    expect(parseUpid(upid)?.starttime).toBeLessThanOrEqual(after);
    await taskDone(cluster, upid);
    const status = (await api.call('GET', '/nodes/{node}/tasks/{upid}/status', {
      node: 'node01',
      upid,
    })) as Record<string, unknown>;
    expect(status).toMatchObject({
      status: 'stopped',
      exitstatus: 'VM 100 already running',
      user: 'chatops@pve',
      tokenid: 'bot',
    });
    const log = (await api.call('GET', '/nodes/{node}/tasks/{upid}/log', { node: 'node01', upid })) as Array<{
      n: number;
      t: string;
    }>;
    expect(log.at(-1)).toEqual({ n: log.length, t: 'TASK ERROR: VM 100 already running' });
  });

  it('serves status and log only on the UPID node', async () => {
    cluster = createCluster({ speed: 200 });
    const api = apiFor(cluster);
    const upid = (await api.call('POST', '/nodes/{node}/apt/update', { node: 'node02' })) as string;
    expect(upid).toMatch(/:aptupdate::chatops@pve!bot:$/);
    await expect(
      api.call('GET', '/nodes/{node}/tasks/{upid}/status', { node: 'node01', upid }),
    ).rejects.toMatchObject({
      status: 400,
      errors: { upid: 'no such task' },
    });
    await expect(
      api.call('GET', '/nodes/{node}/tasks/{upid}/status', { node: 'node01', upid: 'garbage' }),
    ).rejects.toMatchObject({
      errors: { upid: 'unable to parse worker upid' },
    });
  });

  it('pages the log with 1-based n, start, limit=0 for everything, and a total', async () => {
    cluster = createCluster({ speed: 200 });
    const api = apiFor(cluster);
    const upid = (await api.call('POST', '/nodes/{node}/apt/update', { node: 'node01' })) as string;
    await taskDone(cluster, upid);
    const all = await api.callWithTotal('/nodes/{node}/tasks/{upid}/log', { node: 'node01', upid, limit: 0 });
    const lines = all.data as Array<{ n: number; t: string }>;
    expect(lines[0]).toEqual({ n: 1, t: 'starting apt-get update' });
    expect(lines.at(-1)?.t).toBe('TASK OK');
    expect(all.total).toBe(lines.length);
    const page = await api.callWithTotal('/nodes/{node}/tasks/{upid}/log', {
      node: 'node01',
      upid,
      start: 2,
      limit: 2,
    });
    expect(page.data).toEqual(lines.slice(2, 4));
    expect(page.total).toBe(lines.length);
  });

  it('hides running tasks from the default archive list and shows them with source=active', async () => {
    cluster = createCluster({ speed: 20 });
    const api = apiFor(cluster);
    const upid = (await api.call('POST', '/nodes/{node}/qemu/{vmid}/migrate', {
      node: 'node01',
      vmid: 100,
      target: 'node02',
      online: true,
    })) as string;
    const archive = await api.callWithTotal('/nodes/{node}/tasks', { node: 'node01' });
    expect((archive.data as Array<{ upid: string }>).map((t) => t.upid)).not.toContain(upid);
    const active = await api.callWithTotal('/nodes/{node}/tasks', { node: 'node01', source: 'active' });
    expect(active.data).toEqual([
      expect.objectContaining({ upid, status: 'RUNNING', id: '100', user: 'chatops@pve', tokenid: 'bot' }),
    ]);
    expect(active.total).toBe(1);
  });

  it('stops a task on DELETE: TASK ERROR: received interrupt, and the VM stays where it was', async () => {
    cluster = createCluster({ speed: 20 });
    const api = apiFor(cluster);
    const upid = (await api.call('POST', '/nodes/{node}/qemu/{vmid}/migrate', {
      node: 'node01',
      vmid: 100,
      target: 'node02',
      online: true,
    })) as string;
    await waitFor(() => cluster.task(upid)?.lines.some((l) => l.includes('migration active')), 'transfer');
    expect(await api.call('DELETE', '/nodes/{node}/tasks/{upid}', { node: 'node01', upid })).toBeNull();
    await taskDone(cluster, upid);
    expect(cluster.task(upid)?.record.exitstatus).toBe('received interrupt');
    expect(cluster.task(upid)?.lines.at(-1)).toBe('TASK ERROR: received interrupt');
    expect(cluster.guest(100)).toMatchObject({ node: 'node01', running: true });
    expect(cluster.guest(100)?.lock).toBeUndefined();
  });

  it('fails the next task of a type with the injected message', async () => {
    cluster = createCluster({ speed: 200 });
    const api = apiFor(cluster);
    cluster.failNextTask('qmigrate', 'migration problems: target storage full');
    const upid = (await api.call('POST', '/nodes/{node}/qemu/{vmid}/migrate', {
      node: 'node01',
      vmid: 100,
      target: 'node03',
      online: true,
    })) as string;
    await taskDone(cluster, upid);
    const lines = cluster.task(upid)?.lines ?? [];
    expect(lines.at(-1)).toBe('TASK ERROR: migration problems: target storage full');
    expect(
      lines.some((l) => / ERROR: online migrate failure - migration problems: target storage full$/.test(l)),
    ).toBe(true);
    expect(cluster.guest(100)).toMatchObject({ node: 'node01', running: true });
    // Only the next one: a second migration succeeds.
    const again = (await api.call('POST', '/nodes/{node}/qemu/{vmid}/migrate', {
      node: 'node01',
      vmid: 100,
      target: 'node03',
      online: true,
    })) as string;
    await taskDone(cluster, again);
    expect(cluster.task(again)?.record.exitstatus).toBe('OK');
  });

  it('lists per node its running tasks, then its newest finished ones up to 25 in all, in /cluster/tasks', async () => {
    cluster = createCluster({ speed: 200 });
    const api = apiFor(cluster);
    const spec = (node: string) => ({ node, type: 'vncproxy', id: '', user: 'root@pam' });
    const running = cluster.startTask(spec('node01'), (task) => task.sleep(600_000));
    const finished = Array.from({ length: 60 }, () => cluster.startTask(spec('node01'), async () => {}));
    finished.push(cluster.startTask(spec('node02'), async () => {}));
    await Promise.all(finished.map((task) => taskDone(cluster, task.upid)));

    const tasks = (await api.call('GET', '/cluster/tasks')) as Array<Record<string, unknown>>;
    const node01 = tasks.filter((t) => t.node === 'node01');
    // pve-common active_workers: running first, then finished ones up to $MAX_FINISHED in all.
    expect(node01).toHaveLength(25);
    expect(node01[0]).toMatchObject({ upid: running.upid, saved: '0', id: '' });
    expect(node01[0]?.pid).toEqual(expect.any(Number));
    // The oldest finished ones of node01 dropped out, the newest are there, without pid.
    expect(node01.map((t) => t.upid)).not.toContain(finished[0]?.upid);
    expect(node01[1]).toMatchObject({ upid: finished[59]?.upid, saved: '1', status: 'OK' });
    expect(node01[1]).not.toHaveProperty('pid');
    for (const task of tasks) expect(task).not.toHaveProperty('pstart');
    // Node by node, in cluster order.
    // (node02 and node03 also list the default cluster's seeded nightly backups.)
    expect(tasks.map((t) => t.node)).toEqual([...tasks.map((t) => t.node)].sort());
    expect(tasks.filter((t) => t.node === 'node02').map((t) => t.upid)).toContain(finished[60]?.upid);
    const starts = node01.slice(1).map((t) => Number(t.starttime));
    expect(starts).toEqual([...starts].sort((a, b) => b - a));
  });

  it('raises 500 before any task for LXC start of a running CT and QEMU reboot of a stopped or absent VM', async () => {
    cluster = createCluster({ speed: 200 });
    const api = apiFor(cluster);
    await expect(
      api.call('POST', '/nodes/{node}/lxc/{vmid}/status/start', { node: 'node03', vmid: 200 }),
    ).rejects.toThrow(new PveHttpError(500, 'CT 200 already running'));
    await expect(
      api.call('POST', '/nodes/{node}/qemu/{vmid}/status/reboot', { node: 'node03', vmid: 103 }),
    ).rejects.toThrow('VM 103 not running');
    await expect(
      api.call('POST', '/nodes/{node}/qemu/{vmid}/status/reboot', { node: 'node02', vmid: 100 }),
    ).rejects.toThrow("unable to find configuration file for VM 100 on node 'node02'");
    // Only the default cluster's seeded backup history: no task was started.
    expect(cluster.tasks.all().filter((task) => task.record.type !== 'vzdump')).toHaveLength(0);
  });

  it('forks QEMU start and stop on a node without the config; the worker fails', async () => {
    cluster = createCluster({ speed: 200 });
    const api = apiFor(cluster);
    const start = (await api.call('POST', '/nodes/{node}/qemu/{vmid}/status/start', {
      node: 'node02',
      vmid: 100,
    })) as string;
    expect((await taskDone(cluster, start)).record.exitstatus).toBe(
      "Configuration file 'nodes/node02/qemu-server/100.conf' does not exist",
    );
    // _do_vm_stop asks check_running first, which asserts the config is on the node.
    const stop = (await api.call('POST', '/nodes/{node}/qemu/{vmid}/status/stop', {
      node: 'node02',
      vmid: 100,
    })) as string;
    expect((await taskDone(cluster, stop)).record.exitstatus).toBe(
      "unable to find configuration file for VM 100 on node 'node02'",
    );
  });
});
