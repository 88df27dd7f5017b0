import { Agent, request } from 'node:https';
import type { Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { composeSimulator, type RunningSimulator } from '../../src/sim/compose-simulator.js';
import { type FakeCluster, fakeDomain } from './helpers/fake-domain.js';
import { call } from './helpers/https-call.js';

describe('simulator faults', () => {
  let sim: RunningSimulator<FakeCluster>;
  const token = () => ({ Authorization: `PVEAPIToken=${sim.tokenId}=${sim.tokenSecret}` });
  const api = (node: number, path: string) =>
    call(sim.hosts[node] as string, sim.caPem, 'GET', `/api2/json${path}`, { headers: token() });

  beforeEach(async () => {
    sim = await composeSimulator({ nodes: 3, port: 0, authFailureDelayMs: 0 }, fakeDomain());
  });
  afterEach(() => sim.stop());

  it('takes a node down: 595 with an empty body through other nodes, refused on its own address', async () => {
    await sim.faults.nodeDown('node02');
    expect(sim.cluster.isNodeOnline('node02')).toBe(false);

    const proxied = await api(0, '/nodes/node02/status');
    expect([proxied.status, proxied.statusText, proxied.text]).toEqual([595, 'No route to host', '']);
    await expect(api(1, '/version')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    // The rest of the cluster still answers.
    expect((await api(2, '/nodes/node03/status')).status).toBe(200);
  });

  it('brings a node back on the same port', async () => {
    const host = sim.hosts[1];
    await sim.faults.nodeDown('node02');
    await sim.faults.nodeUp('node02');
    expect(sim.hosts[1]).toBe(host);
    const res = await api(1, '/nodes/node02/status');
    expect(res.json).toEqual({ data: { node: 'node02', servedBy: 'node02' } });
  });

  it('drops kept-alive connections of a node that goes down', async () => {
    const agent = new Agent({ keepAlive: true, ca: sim.caPem });
    try {
      const socket = await new Promise<Socket>((resolve, reject) => {
        const req = request(`${sim.hosts[1]}/api2/json/version`, { agent, headers: token() }, (res) => {
          const kept = res.socket;
          res.resume();
          res.on('end', () => resolve(kept));
        });
        req.on('error', reject);
        req.end();
      });
      expect(socket.destroyed).toBe(false);
      await sim.faults.nodeDown('node02');
      // Were the kept-alive connection still open, this would be answered 200 over it.
      const again = new Promise((resolve, reject) => {
        const req = request(`${sim.hosts[1]}/api2/json/version`, { agent, headers: token() }, resolve);
        req.on('error', reject);
        req.end();
      });
      await expect(again).rejects.toMatchObject({ code: expect.stringMatching(/ECONNRESET|ECONNREFUSED/) });
    } finally {
      agent.destroy();
    }
  });

  it('closes the listener when the domain itself powers a node off', async () => {
    sim.cluster.setNodeOnline('node03', false);
    await expect(api(2, '/version')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    sim.cluster.setNodeOnline('node03', true);
    await sim.faults.nodeUp('node03'); // already up: resolves once the listener is open again
    expect((await api(2, '/version')).status).toBe(200);
  });

  it('apiDown refuses connections on that node and proxied calls to it, the node stays in the cluster', async () => {
    await sim.faults.apiDown('node03');
    await sim.faults.apiDown('node03'); // idempotent
    expect(sim.cluster.isNodeOnline('node03')).toBe(true);
    await expect(api(2, '/version')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    // pveproxy on node01 cannot connect to node03's pveproxy either.
    const proxied = await api(0, '/nodes/node03/status');
    expect([proxied.status, proxied.statusText, proxied.text]).toEqual([595, 'Connection refused', '']);
    // Cluster-wide calls and the other nodes are unaffected.
    expect((await api(0, '/version')).status).toBe(200);
    expect((await api(0, '/nodes/node02/status')).status).toBe(200);
    await sim.faults.apiUp('node03');
    expect((await api(2, '/version')).status).toBe(200);
    const again = await api(0, '/nodes/node03/status');
    expect(again.json).toEqual({ data: { node: 'node03', servedBy: 'node01' } });
  });

  it('adds latency before every answer until cleared', async () => {
    sim.faults.latency(200);
    const started = performance.now();
    expect((await api(0, '/version')).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    sim.faults.latency(0);
    expect((await api(0, '/version')).status).toBe(200);
    expect(() => sim.faults.latency(-1)).toThrow(RangeError);
  });

  it('delegates failNextTask to the cluster and rejects unknown nodes', () => {
    sim.faults.failNextTask('qmigrate', 'migration aborted');
    expect(sim.cluster.failedTasks).toEqual([['qmigrate', 'migration aborted']]);
    expect(() => sim.faults.nodeDown('node07')).toThrow("unknown node 'node07'");
  });

  it('stop() closes every listener and the cluster', async () => {
    await sim.stop();
    expect(sim.cluster.closed).toBe(true);
    await expect(api(0, '/version')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
