import { describe, expect, it } from 'vitest';
import { FAST_POLL, recordingLogger, useSimulatedCluster } from './helpers/simulated-cluster.js';

const cluster = useSimulatedCluster();
// On node03, so that a POST sent through node02 while node01's API is down is served (proxied
// to node03); a guest on node01 would get 595 through any other node, as on real PVE.
const Files01 = { type: 'qemu', vmid: 103, node: 'node03' } as const;

describe('failover across hosts', () => {
  it('uses the next host when node01 refuses connections, sends a POST once, then sticks to that host', async () => {
    const { sim } = cluster;
    await sim.faults.apiDown('node01');
    try {
      const logger = recordingLogger();
      const events: { host: string; status?: number; errorCode?: string }[] = [];
      const client = cluster.client({ logger, onRequest: (e) => events.push(e) });

      const upid = await client.start(Files01);
      const starts = sim.requests.filter(
        (r) => r.method === 'POST' && r.path === '/nodes/node03/qemu/103/status/start',
      );
      expect(starts).toEqual([expect.objectContaining({ node: 'node02', status: 200 })]);
      expect(events.slice(0, 2)).toEqual([
        expect.objectContaining({ host: sim.hosts[0], errorCode: 'PVE_CONNECTION', status: undefined }),
        expect.objectContaining({ host: sim.hosts[1], status: 200 }),
      ]);
      expect(logger.lines).toContainEqual(
        expect.objectContaining({ level: 'warn', fields: expect.objectContaining({ host: sim.hosts[0] }) }),
      );

      // Sticky: the next calls go straight to node02.
      events.length = 0;
      await client.waitForTask(upid, { pollInterval: FAST_POLL });
      expect(events.length).toBeGreaterThan(0);
      expect(new Set(events.map((e) => e.host))).toEqual(new Set([sim.hosts[1]]));
      await client.waitForTask(await client.stop(Files01), { pollInterval: FAST_POLL });
    } finally {
      await sim.faults.apiUp('node01');
    }
  });

  it('gets PVE_NODE_UNREACHABLE for a call to the node whose API is down, through the other hosts', async () => {
    const { sim } = cluster;
    await sim.faults.apiDown('node01');
    try {
      const error = await cluster
        .client()
        .start({ type: 'lxc', vmid: 201, node: 'node01' })
        .catch((e: unknown) => e);
      // pveproxy on node02 could not connect to node01's: 595, an answer and not a host failure.
      expect(error).toMatchObject({ name: 'PveError', code: 'PVE_NODE_UNREACHABLE', statusCode: 595 });
      expect((error as Error).message).toContain('Connection refused');
      const sent = sim.requests.filter((r) => r.path === '/nodes/node01/lxc/201/status/start');
      expect(sent).toEqual([expect.objectContaining({ node: 'node02', status: 595 })]);
    } finally {
      await sim.faults.apiUp('node01');
    }
  });

  it('lists every host and its reason when none can be reached', async () => {
    const { sim } = cluster;
    await Promise.all(sim.nodes.map((node) => sim.faults.apiDown(node)));
    try {
      const error = await cluster
        .client()
        .version()
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'PveError', code: 'PVE_CONNECTION', mayHaveReachedServer: false });
      const hosts = (error as { hosts: { host: string; reason: string }[] }).hosts;
      expect(hosts.map((h) => h.host)).toEqual(sim.hosts);
      for (const host of sim.hosts) expect((error as Error).message).toContain(host);
      expect(hosts[0]?.reason).toContain('ECONNREFUSED');
    } finally {
      await Promise.all(sim.nodes.map((node) => sim.faults.apiUp(node)));
    }
  });

  it('never sends a POST twice once it may have reached a server, but retries a GET once elsewhere', async () => {
    const { sim } = cluster;
    // undici checks headers timeouts on a ~0.5 s tick, so the answer is held well past that.
    const client = cluster.client({ requestTimeoutMs: 100 });
    await client.version(); // connected and sticky on node01
    sim.faults.latency(2_500);
    try {
      const post = await client
        .shutdown({ type: 'qemu', vmid: 100, node: 'node01' })
        .catch((e: unknown) => e);
      expect(post).toMatchObject({ code: 'PVE_TIMEOUT', mayHaveReachedServer: true, method: 'POST' });

      const get = await client.version().catch((e: unknown) => e);
      expect(get).toMatchObject({ code: 'PVE_TIMEOUT', mayHaveReachedServer: true });
      expect((get as { hosts: unknown[] }).hosts).toHaveLength(2);

      // The server still answers the requests the client gave up on; wait for them to be recorded.
      await expect
        .poll(() => sim.requests.filter((r) => r.path === '/version' && r.status === 200).length, {
          timeout: 10_000,
        })
        .toBeGreaterThanOrEqual(3);
      await expect
        .poll(() => sim.requests.filter((r) => r.path === '/nodes/node01/qemu/100/status/shutdown').length, {
          timeout: 10_000,
        })
        .toBe(1);
      const versionHosts = sim.requests
        .filter((r) => r.path === '/version')
        .slice(-2)
        .map((r) => r.node);
      expect(new Set(versionHosts).size).toBe(2);
    } finally {
      sim.faults.latency(0);
    }
  });
});
