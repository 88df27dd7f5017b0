import { describe, expect, it } from 'vitest';
import { useSimulatedCluster } from './helpers/simulated-cluster.js';

const cluster = useSimulatedCluster();

describe('cluster reads', () => {
  it('reads typed cluster resources', async () => {
    const client = cluster.client();
    const guests = await client.clusterResources('vm');
    expect(guests.find((g) => g.vmid === 100)).toMatchObject({
      type: 'qemu',
      name: 'TestVM',
      node: 'node01',
      template: false,
    });
    expect(guests.find((g) => g.vmid === 9000)?.template).toBe(true);
    expect(guests.find((g) => g.vmid === 101)?.hastate).toBeDefined();
    const nodes = await client.clusterResources('node');
    expect(nodes.map((n) => n.node).sort()).toEqual(['node01', 'node02', 'node03']);
    const storage = await client.clusterResources('storage');
    expect(storage.some((s) => s.shared === true)).toBe(true);
    const everything = await client.clusterResources();
    expect(new Set(everything.map((r) => r.type))).toEqual(
      expect.objectContaining({ size: expect.any(Number) }),
    );
    expect(everything.length).toBeGreaterThanOrEqual(guests.length + nodes.length);
  });

  it('reads the cluster name, quorum and node membership', async () => {
    const status = await cluster.client().clusterStatus();
    expect(status).toMatchObject({ clusterName: 'MonCluster', quorate: true });
    expect(status.nodes.map((n) => [n.name, n.online])).toEqual([
      ['node01', true],
      ['node02', true],
      ['node03', true],
    ]);
    expect(status.nodes.filter((n) => n.local)).toHaveLength(1);
  });

  it('sees quorum lost when a majority of nodes is down', async () => {
    const { sim } = cluster;
    await sim.faults.nodeDown('node01');
    await sim.faults.nodeDown('node02');
    try {
      const status = await cluster.client().clusterStatus();
      expect(status.quorate).toBe(false);
      expect(status.nodes.find((n) => n.name === 'node03')?.online).toBe(true);
      expect(status.nodes.find((n) => n.name === 'node01')?.online).toBe(false);
      // Without quorum pmxcfs is read-only: writes fail before any task exists.
      const error = await cluster
        .client()
        .start({ type: 'qemu', vmid: 103, node: 'node03' })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'PVE_NO_QUORUM', statusCode: 500 });
    } finally {
      await sim.faults.nodeUp('node01');
      await sim.faults.nodeUp('node02');
    }
  });

  it('lists nodes with their fingerprints and reads one node status', async () => {
    const client = cluster.client();
    const nodes = await client.nodes();
    const node01 = nodes.find((n) => n.node === 'node01');
    expect(node01?.status).toBe('online');
    expect(node01?.ssl_fingerprint?.toUpperCase()).toBe(cluster.sim.fingerprints[0]?.toUpperCase());
    const status = await client.nodeStatus('node02');
    expect(status.pveversion).toMatch(/^pve-manager\//);
    expect(typeof status.uptime).toBe('number');
  });

  it('reads the version and the next free id as a number', async () => {
    const client = cluster.client();
    expect((await client.version()).version).toMatch(/^\d+\.\d+/);
    const next = await client.nextId();
    expect(Number.isInteger(next)).toBe(true);
    expect(next).toBeGreaterThanOrEqual(100);
    const raw = cluster.sim.requests.findLast((r) => r.path === '/cluster/nextid');
    expect(raw?.status).toBe(200);
  });

  it('finds guests by name case-insensitively or by vmid with one resources read', async () => {
    const client = cluster.client();
    const before = cluster.sim.requests.length;
    const found = await client.findGuests('testvm');
    expect(found).toEqual([expect.objectContaining({ vmid: 100, type: 'qemu', node: 'node01' })]);
    expect(cluster.sim.requests.slice(before).map((r) => r.path)).toEqual(['/cluster/resources']);
    expect((await client.findGuests('200'))[0]).toMatchObject({
      type: 'lxc',
      name: 'ct-dns01',
      node: 'node03',
    });
    expect(await client.findGuests('nothing-like-this')).toEqual([]);
  });
});
