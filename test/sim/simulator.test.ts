import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, type SimCluster, startSimulator } from '../../src/sim/simulator.js';
import { call } from './helpers/https-call.js';

// The platform around the real domain: composition only; the domain's behaviour has its own tests.
describe('startSimulator', () => {
  let sim: RunningSimulator<SimCluster>;
  const api = (node: number, path: string) =>
    call(sim.hosts[node] as string, sim.caPem, 'GET', `/api2/json${path}`, {
      headers: { Authorization: `PVEAPIToken=${sim.tokenId}=${sim.tokenSecret}` },
    });

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, speed: 50, authFailureDelayMs: 0 });
  });
  afterAll(() => sim.stop());

  it("starts the guides' cluster on the nodes' own loopback addresses", () => {
    expect(sim.clusterName).toBe('MonCluster');
    expect(sim.nodes).toEqual(['node01', 'node02', 'node03']);
    expect(sim.hosts.map((host) => new URL(host).hostname)).toEqual([
      '127.20.1.101',
      '127.20.1.102',
      '127.20.1.103',
    ]);
  });

  it('gives the domain the fingerprints the nodes really present', async () => {
    const res = await api(2, '/nodes');
    expect(res.status).toBe(200);
    const nodes = (res.json as { data: Array<{ node: string; ssl_fingerprint: string }> }).data;
    for (const [i, node] of sim.nodes.entries()) {
      expect(nodes.find((n) => n.node === node)?.ssl_fingerprint).toBe(sim.fingerprints[i]);
    }
  });

  it('answers 595 for a node taken down, through another node', async () => {
    await sim.faults.nodeDown('node03');
    try {
      const res = await api(0, '/nodes/node03/status');
      expect([res.status, res.text]).toEqual([595, '']);
    } finally {
      await sim.faults.nodeUp('node03');
    }
  });
});

describe('the request record', () => {
  it('keeps only the newest requests past its bound', async () => {
    const sim = await startSimulator({ port: 0, authFailureDelayMs: 0, maxRecordedRequests: 10 });
    try {
      const headers = { Authorization: `PVEAPIToken=${sim.tokenId}=${sim.tokenSecret}` };
      for (let i = 0; i < 25; i += 1) {
        await call(sim.hosts[0] as string, sim.caPem, 'GET', `/api2/json/cluster/nextid?vmid=${500 + i}`, {
          headers,
        });
      }
      expect(sim.requests.length).toBeLessThanOrEqual(11);
      expect(sim.requests.at(-1)?.rawParams).toEqual({ vmid: '524' });
    } finally {
      await sim.stop();
    }
  });
});
