import { afterEach, describe, expect, it } from 'vitest';
import { haResource } from '../../src/sim/cluster/cluster-seed.js';
import { createCluster } from '../../src/sim/cluster/create-cluster.js';
import { HA_TIMINGS } from '../../src/sim/cluster/ha-manager.js';
import type { SimCluster } from '../../src/sim/cluster/sim-cluster.js';
import { apiFor, taskDone, waitFor } from './cluster-test-kit.js';

let cluster: SimCluster;
afterEach(() => cluster?.close());

type Entry = Record<string, unknown>;

describe('HA and quorum', () => {
  it('answers hamigrate at once and lets the LRM run the real qmigrate as root@pam', async () => {
    cluster = createCluster({ speed: 200 });
    const api = apiFor(cluster);
    const upid = (await api.call('POST', '/nodes/{node}/qemu/{vmid}/migrate', {
      node: 'node02',
      vmid: 101,
      target: 'node03',
      online: true,
    })) as string;
    expect(upid).toContain(':hamigrate:101:chatops@pve!bot:');
    expect((await taskDone(cluster, upid)).record.exitstatus).toBe('OK');
    const real = await waitFor(
      () => cluster.tasks.all().find((t) => t.record.type === 'qmigrate'),
      'LRM qmigrate',
    );
    expect(real.record.user).toBe('root@pam');
    expect(real.lines[0]).toBe('task started by HA resource agent');
    await waitFor(
      () => cluster.guest(101)?.node === 'node03' && cluster.haState(101) === 'started',
      'VM 101 on node03',
      10_000,
    );
    const status = (await api.call('GET', '/cluster/ha/status/current')) as Entry[];
    expect(status.find((e) => e.id === 'service:vm:101')).toMatchObject({
      node: 'node03',
      crm_state: 'started',
      status: 'vm:101 (node03, started)',
    });
  });

  it('loses quorum when two of three nodes are down and refuses writes', async () => {
    cluster = createCluster({ speed: 200 });
    const api = apiFor(cluster);
    const changes: string[] = [];
    cluster.onNodeOnlineChange((node, online) => changes.push(`${node}:${online}`));
    cluster.setNodeOnline('node02', false);
    expect(cluster.isQuorate()).toBe(true);
    cluster.setNodeOnline('node03', false);
    expect(changes).toEqual(['node02:false', 'node03:false']);
    const status = (await api.call('GET', '/cluster/status')) as Entry[];
    expect(status[0]).toMatchObject({ type: 'cluster', name: 'MonCluster', quorate: 0 });
    expect(status.find((e) => e.name === 'node03')).toMatchObject({
      online: 0,
      local: 0,
      ip: '127.20.1.103',
    });
    expect(status.find((e) => e.name === 'node01')).toMatchObject({ online: 1, local: 1 });
    // vm_start runs check_cfs_quorum before forking (vm_stop needs no quorum).
    await expect(
      api.call('POST', '/nodes/{node}/qemu/{vmid}/status/start', { node: 'node01', vmid: 100 }),
    ).rejects.toMatchObject({
      status: 500,
      message: 'cluster not ready - no quorum?',
    });
    const resources = (await api.call('GET', '/cluster/resources')) as Entry[];
    expect(resources.find((e) => e.id === 'qemu/102')).toMatchObject({ status: 'unknown' });
    expect(resources.find((e) => e.id === 'node/node02')).toMatchObject({ status: 'offline' });
  });

  it('fences a dead node and recovers its HA guest on another node', async () => {
    cluster = createCluster({ speed: 400 });
    const seen = new Set<string>();
    cluster.setNodeOnline('node02', false);
    await waitFor(
      () => {
        const state = cluster.haState(101);
        if (state) seen.add(state);
        return state === 'started' && cluster.guest(101)?.running && cluster.guest(101)?.node !== 'node02';
      },
      'recovery of vm:101',
      10_000,
    );
    expect(seen).toContain('fence');
    expect(seen).toContain('recovery');
    // A non-HA guest of the dead node stays there.
    expect(cluster.guest(102)).toMatchObject({ node: 'node02', running: false });
  });

  it('gives a node back after a reboot with a new uptime and its HA guest started again', async () => {
    cluster = createCluster({ speed: 400 });
    const api = apiFor(cluster);
    const before = cluster.node('node02').bootedAt;
    expect(await api.call('POST', '/nodes/{node}/status', { node: 'node02', command: 'reboot' })).toBeNull();
    await waitFor(() => !cluster.isNodeOnline('node02'), 'node02 down');
    expect(cluster.haState(101)).toBe('freeze');
    await waitFor(() => cluster.isNodeOnline('node02'), 'node02 back', 10_000);
    expect(cluster.node('node02').bootedAt).toBeGreaterThan(before);
    await waitFor(
      () => cluster.haState(101) === 'started' && cluster.guest(101)?.running,
      'vm:101 started',
      10_000,
    );
    expect(cluster.guest(101)?.node).toBe('node02');
  });

  it('shows hastate ignored for an ignored resource but leaves the guest alone: plain qmigrate and qmstart', async () => {
    cluster = createCluster({ speed: 400 });
    const api = apiFor(cluster);
    cluster.ha.add(haResource('qemu', 100, 'ignored'));
    cluster.ha.add(haResource('qemu', 103, 'ignored'));
    const resources = (await api.call('GET', '/cluster/resources', { type: 'vm' })) as Entry[];
    expect(resources.find((e) => e.vmid === 100)).toMatchObject({ hastate: 'ignored' });
    // Not HA-managed for the API: status/current says so.
    const current = (await api.call('GET', '/nodes/{node}/qemu/{vmid}/status/current', {
      node: 'node01',
      vmid: 100,
    })) as Entry;
    expect(current.ha).toEqual({ managed: 0 });

    // A few CRM rounds: the HA stack neither stops the running VM nor starts the stopped one.
    for (let round = 0; round < 3; round++) cluster.ha.round();
    await new Promise((resolve) => setTimeout(resolve, (2 * HA_TIMINGS.kickMs) / 400));
    expect(cluster.guest(100)?.running).toBe(true);
    expect(cluster.guest(103)?.running).toBe(false);
    // Only the default cluster's seeded backup history: no task was started.
    expect(cluster.tasks.all().filter((task) => task.record.type !== 'vzdump')).toHaveLength(0);

    const migrate = (await api.call('POST', '/nodes/{node}/qemu/{vmid}/migrate', {
      node: 'node01',
      vmid: 100,
      target: 'node02',
      online: true,
    })) as string;
    expect(migrate).toContain(':qmigrate:100:chatops@pve!bot:');
    const start = (await api.call('POST', '/nodes/{node}/qemu/{vmid}/status/start', {
      node: 'node03',
      vmid: 103,
    })) as string;
    expect(start).toContain(':qmstart:103:chatops@pve!bot:');
    expect((await taskDone(cluster, migrate)).record.exitstatus).toBe('OK');
    expect(cluster.guest(100)).toMatchObject({ node: 'node02', running: true });
  });

  it('takes a resource up again once it is no longer ignored; guests without a resource have no hastate', async () => {
    cluster = createCluster({ speed: 200 });
    const api = apiFor(cluster);
    cluster.ha.add(haResource('qemu', 100, 'ignored'));
    cluster.ha.setRequestedState('vm:100', 'started');
    const resources = (await api.call('GET', '/cluster/resources', { type: 'vm' })) as Entry[];
    expect(resources.find((e) => e.vmid === 100)?.hastate).toBe('started');
    expect(resources.find((e) => e.vmid === 102)).not.toHaveProperty('hastate');
  });
});
