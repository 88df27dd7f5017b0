// HA node maintenance as the bot drives it: `ha-manager crm-command node-maintenance` over SSH,
// the CRM's evacuation and return observed through the HTTPS API only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, type SimCluster, startSimulator } from '../../src/sim/simulator.js';
import { eventually } from './helpers/eventually.js';
import { call } from './helpers/https-call.js';
import { sshRun } from './helpers/ssh-client.js';

type Entry = Record<string, unknown>;

describe('ha-manager node-maintenance over SSH', () => {
  let sim: RunningSimulator<SimCluster>;
  const api = async (method: string, path: string, body?: Record<string, string>): Promise<unknown> => {
    const options: Parameters<typeof call>[4] = {
      headers: { Authorization: `PVEAPIToken=${sim.tokenId}=${sim.tokenSecret}` },
    };
    if (body) options.body = body;
    const res = await call(sim.hosts[2] as string, sim.caPem, method, `/api2/json${path}`, options);
    if (res.status !== 200) throw new Error(`${method} ${path}: ${res.status} ${res.statusText}`);
    return (res.json as { data: unknown }).data;
  };
  const haGuestsOn = async (node: string) =>
    ((await api('GET', '/cluster/resources?type=vm')) as Entry[]).filter((e) => e.node === node && e.hastate);

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, speed: 100, authFailureDelayMs: 0 });
    // Two more HA guests, both on node01: TestVM (running) and ct-proxy01 (stopped).
    await api('POST', '/cluster/ha/resources', { sid: 'vm:100', state: 'started' });
    await api('POST', '/cluster/ha/resources', { sid: 'ct:201', state: 'stopped' });
  });
  afterAll(() => sim.stop());

  it('enable moves the HA guests off the node, which then shows maintenance everywhere', async () => {
    expect((await haGuestsOn('node01')).map((e) => e.vmid).sort()).toEqual([100, 201]);
    // Any node takes the command ("allows you to submit the command on any node").
    const result = await sshRun(sim, 'node02', 'ha-manager crm-command node-maintenance enable node01');
    expect(result).toEqual({ code: 0, stdout: '', stderr: '' });

    await eventually(async () => (await haGuestsOn('node01')).length === 0, 'no HA guest left on node01');
    const current = await eventually(async () => {
      const entries = (await api('GET', '/cluster/ha/status/current')) as Entry[];
      const settled = ['vm:100', 'ct:201'].every((sid) =>
        /^(started|stopped)$/.test(String(entries.find((e) => e.sid === sid)?.state)),
      );
      return settled && entries;
    }, 'the services settled');
    expect(String(current.find((e) => e.id === 'lrm:node01')?.status)).toContain('maintenance mode');
    expect(current.find((e) => e.sid === 'vm:100')).toMatchObject({ state: 'started' });
    expect(current.find((e) => e.sid === 'ct:201')).toMatchObject({ state: 'stopped' });

    const status = (await api('GET', '/cluster/ha/status/manager_status')) as {
      manager_status: Entry & { service_status: Record<string, Entry> };
      lrm_status: Record<string, Entry>;
    };
    expect(status.manager_status.node_request).toEqual({ node01: { maintenance: 1 } });
    expect(status.manager_status.node_status).toMatchObject({ node01: 'maintenance', node02: 'online' });
    expect(status.lrm_status.node01).toMatchObject({ mode: 'maintenance' });
    expect(status.manager_status.service_status['vm:100']).toMatchObject({ maintenance_node: 'node01' });
    const nodes = (await api('GET', '/cluster/resources?type=node')) as Entry[];
    expect(nodes.find((e) => e.node === 'node01')).toMatchObject({ hastate: 'maintenance' });

    // The VM moved live, by a real qmigrate the LRM ran on node01.
    const tasks = (await api('GET', '/nodes/node01/tasks?typefilter=qmigrate&vmid=100')) as Entry[];
    expect(tasks[0]).toMatchObject({ type: 'qmigrate', user: 'root@pam', status: 'OK' });
    const vm = ((await api('GET', '/cluster/resources?type=vm')) as Entry[]).find((e) => e.vmid === 100);
    expect(vm).toMatchObject({ status: 'running', hastate: 'started' });
    expect(vm?.node).not.toBe('node01');
  });

  it('disable brings them back to the node', async () => {
    const result = await sshRun(sim, 'node03', 'ha-manager crm-command node-maintenance disable node01');
    expect(result).toEqual({ code: 0, stdout: '', stderr: '' });
    await eventually(async () => {
      const entries = (await api('GET', '/cluster/ha/status/current')) as Entry[];
      return ['vm:100', 'ct:201'].every((sid) => {
        const entry = entries.find((e) => e.sid === sid);
        return entry?.node === 'node01' && /^(started|stopped)$/.test(String(entry.state));
      });
    }, 'the HA guests back on node01');
    const nodes = (await api('GET', '/cluster/resources?type=node')) as Entry[];
    expect(nodes.find((e) => e.node === 'node01')).toMatchObject({ hastate: 'online' });
    const status = (await api('GET', '/cluster/ha/status/manager_status')) as {
      lrm_status: Record<string, Entry>;
      manager_status: Entry;
    };
    expect(status.lrm_status.node01).toMatchObject({ mode: 'active' });
    expect(status.manager_status.node_request).toEqual({});
  });

  it('refuses a node the cluster does not have (255) and any other argument (127)', async () => {
    const unknown = await sshRun(sim, 'node01', 'ha-manager crm-command node-maintenance enable node09');
    expect(unknown).toEqual({ code: 255, stdout: '', stderr: "no such cluster node 'node09'\n" });
    for (const command of [
      'ha-manager crm-command node-maintenance enable node01; reboot',
      'ha-manager crm-command node-maintenance enable',
      'ha-manager crm-command stop vm:100 0',
      'ha-manager migrate vm:100 node02',
    ]) {
      expect((await sshRun(sim, 'node01', command)).code).toBe(127);
    }
  });

  it('cannot queue the command without quorum (the CLI writes to /etc/pve)', async () => {
    await sim.faults.nodeDown('node02');
    await sim.faults.nodeDown('node03');
    try {
      const result = await sshRun(sim, 'node01', 'ha-manager crm-command node-maintenance enable node01');
      expect(result.code).toBe(255);
      expect(result.stderr).toContain('no quorum');
    } finally {
      await sim.faults.nodeUp('node02');
      await sim.faults.nodeUp('node03');
    }
    expect(sim.cluster.ha.maintenanceRequested('node01')).toBe(false);
  });
});
