import { afterEach, describe, expect, it } from 'vitest';
import { haResource } from '../../src/sim/cluster/cluster-seed.js';
import { createCluster } from '../../src/sim/cluster/create-cluster.js';
import type { SimCluster } from '../../src/sim/cluster/sim-cluster.js';
import { apiFor, taskDone, waitFor } from './cluster-test-kit.js';

let cluster: SimCluster;
afterEach(() => cluster?.close());

type Entry = Record<string, unknown>;
interface ManagerStatus {
  manager_status: {
    node_status: Record<string, string>;
    node_request?: Record<string, { maintenance?: number }>;
    service_status: Record<string, { node: string; state: string; maintenance_node?: string }>;
  };
  lrm_status: Record<string, { mode: string }>;
}

/** The default cluster plus two HA guests on node01: TestVM (running) and ct-proxy01 (stopped). */
function clusterWithHaOnNode01(speed = 200): SimCluster {
  const created = createCluster({ speed });
  created.ha.add(haResource('qemu', 100, 'started'));
  created.ha.add(haResource('lxc', 201, 'stopped'));
  return created;
}

const evacuated = (c: SimCluster) =>
  c.guest(100)?.node !== 'node01' &&
  c.guest(201)?.node !== 'node01' &&
  c.haState(100) === 'started' &&
  c.haState(201) === 'stopped';

describe('HA node maintenance', () => {
  it('moves every HA service off a node in maintenance and shows the node in maintenance', async () => {
    cluster = clusterWithHaOnNode01();
    const api = apiFor(cluster);
    cluster.ha.queueCrmCommand('enable-node-maintenance node01');
    await waitFor(() => evacuated(cluster), 'HA guests off node01', 10_000);

    // The running VM moved live with a real qmigrate by the LRM; the stopped CT had its config moved.
    expect(cluster.guest(100)?.running).toBe(true);
    expect(cluster.guest(201)?.running).toBe(false);
    const migration = cluster.tasks.all().find((t) => t.record.type === 'qmigrate' && t.record.id === '100');
    expect(migration?.record.user).toBe('root@pam');
    expect((await taskDone(cluster, migration?.upid ?? '')).record.exitstatus).toBe('OK');
    expect(migration?.lines.join('\n')).toContain('starting online/live migration');
    // A guest that is not HA-managed stays where it is.
    expect(cluster.guest(9000)?.node).toBe('node01');

    const status = (await api.call('GET', '/cluster/ha/status/manager_status')) as ManagerStatus;
    expect(status.manager_status.node_request).toEqual({ node01: { maintenance: 1 } });
    expect(status.manager_status.node_status.node01).toBe('maintenance');
    expect(status.lrm_status.node01?.mode).toBe('maintenance');
    expect(status.lrm_status.node02?.mode).toBe('active');
    expect(status.manager_status.service_status['vm:100']).toMatchObject({ maintenance_node: 'node01' });
    expect(status.manager_status.service_status['ct:201']).toMatchObject({ maintenance_node: 'node01' });
    expect(status.manager_status.service_status['vm:101']).not.toHaveProperty('maintenance_node');

    const current = (await api.call('GET', '/cluster/ha/status/current')) as Entry[];
    expect(String(current.find((e) => e.id === 'lrm:node01')?.status)).toMatch(
      /^node01 \(maintenance mode, /,
    );
    expect(String(current.find((e) => e.id === 'lrm:node02')?.status)).toMatch(/^node02 \(active/);
    const resources = (await api.call('GET', '/cluster/resources', { type: 'node' })) as Entry[];
    expect(resources.find((e) => e.node === 'node01')).toMatchObject({
      hastate: 'maintenance',
      status: 'online',
    });
    expect(resources.find((e) => e.node === 'node02')).toMatchObject({ hastate: 'online' });
  });

  it('places nothing on a node in maintenance, not on request and not as a recovery target', async () => {
    cluster = clusterWithHaOnNode01(400);
    const api = apiFor(cluster);
    cluster.ha.queueCrmCommand('enable-node-maintenance node01');
    await waitFor(() => evacuated(cluster), 'HA guests off node01', 10_000);

    // ha-manager migrate to the node in maintenance: the CRM drops the request.
    const upid = (await api.call('POST', '/cluster/ha/resources/{sid}/migrate', {
      sid: 'vm:101',
      node: 'node01',
    })) as { sid: string };
    expect(upid.sid).toBe('vm:101');
    for (let round = 0; round < 3; round++) cluster.ha.round();
    expect(cluster.guest(101)?.node).toBe('node02');

    // node02 dies: its HA guest is recovered on node03, the only node not in maintenance.
    cluster.setNodeOnline('node02', false);
    await waitFor(
      () => cluster.haState(101) === 'started' && cluster.guest(101)?.running && cluster.guest(101)?.node,
      'recovery of vm:101',
      10_000,
    );
    expect(cluster.guest(101)?.node).toBe('node03');
    expect(cluster.guestsOn('node01').filter((g) => cluster.ha.isManaged(g))).toEqual([]);
  });

  it('keeps maintenance across a reboot of the node and brings the services back once disabled', async () => {
    cluster = clusterWithHaOnNode01(400);
    const api = apiFor(cluster);
    cluster.ha.queueCrmCommand('enable-node-maintenance node01');
    await waitFor(() => evacuated(cluster), 'HA guests off node01', 10_000);
    const evacuatedTo = cluster.guest(100)?.node;

    await api.call('POST', '/nodes/{node}/status', { node: 'node01', command: 'reboot' });
    await waitFor(() => !cluster.isNodeOnline('node01'), 'node01 down');
    await waitFor(() => cluster.isNodeOnline('node01'), 'node01 back', 10_000);
    await waitFor(() => cluster.ha.nodeStatus.get('node01') === 'maintenance', 'node01 in maintenance again');
    // A few rounds later, still nothing went back.
    for (let round = 0; round < 3; round++) cluster.ha.round();
    expect(cluster.guest(100)?.node).toBe(evacuatedTo);

    cluster.ha.queueCrmCommand('disable-node-maintenance node01');
    await waitFor(
      () =>
        cluster.guest(100)?.node === 'node01' &&
        cluster.guest(201)?.node === 'node01' &&
        cluster.haState(100) === 'started' &&
        cluster.haState(201) === 'stopped',
      'HA guests back on node01',
      10_000,
    );
    expect(cluster.guest(100)?.running).toBe(true);
    const status = (await api.call('GET', '/cluster/ha/status/manager_status')) as ManagerStatus;
    // The hash stays, empty, once the first command created it.
    expect(status.manager_status.node_request).toEqual({});
    expect(status.manager_status.node_status.node01).toBe('online');
    expect(status.lrm_status.node01?.mode).toBe('active');
    for (const sid of ['vm:100', 'ct:201'])
      expect(status.manager_status.service_status[sid]).not.toHaveProperty('maintenance_node');
    // The guest that never was on node01 stays where it is.
    expect(cluster.guest(101)?.node).toBe('node02');
  });

  it('ignores a maintenance command for a node the cluster does not have', async () => {
    cluster = clusterWithHaOnNode01();
    const api = apiFor(cluster);
    cluster.ha.queueCrmCommand('enable-node-maintenance node09');
    cluster.ha.round();
    const status = (await api.call('GET', '/cluster/ha/status/manager_status')) as ManagerStatus;
    expect(status.manager_status).not.toHaveProperty('node_request');
    expect(Object.values(status.manager_status.node_status)).toEqual(['online', 'online', 'online']);
  });
});
