// Two simulated clusters in one process (`pve-chatops sim --clusters 2`): MonCluster and
// SRV-Cluster, each with its own nodes, addresses, certificates, token, sshd and guests.
import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCluster } from '../../src/sim/cluster/create-cluster.js';
import { parseSimArgs } from '../../src/sim/parse-sim-args.js';
import {
  type RunningSimulator,
  type SimCluster,
  simClusterLayouts,
  startSimulators,
} from '../../src/sim/simulator.js';
import { simClusterSshPort } from '../../src/sim/start-simulators.js';
import { apiFor } from './cluster-test-kit.js';
import { call } from './helpers/https-call.js';
import { sshRun } from './helpers/ssh-client.js';

type Entry = Record<string, unknown>;
type Sim = RunningSimulator<SimCluster>;

/** A request to `sim`'s first node with `token` (default: its own). */
function request(sim: Sim, method: string, path: string, token = sim, body?: Record<string, string>) {
  const options: Parameters<typeof call>[4] = {
    headers: { Authorization: `PVEAPIToken=${token.tokenId}=${token.tokenSecret}` },
  };
  if (body) options.body = body;
  return call(sim.hosts[0] as string, sim.caPem, method, `/api2/json${path}`, options);
}

async function data(sim: Sim, method: string, path: string, body?: Record<string, string>): Promise<unknown> {
  const res = await request(sim, method, path, sim, body);
  if (res.status !== 200) throw new Error(`${method} ${path}: ${res.status} ${res.statusText}`);
  return (res.json as { data: unknown }).data;
}

/**
 * Logs in to `node`'s sshd with `privateKey`: 'ready', or the first error. The client keeps
 * listening for errors, as the server may reset the connection after refusing the key.
 */
function sshLogin(sim: Sim, node: string, privateKey: string): Promise<'ready' | Error> {
  const client = new ssh2.Client();
  return new Promise<'ready' | Error>((resolve) => {
    client.on('error', resolve);
    client.once('ready', () => resolve('ready'));
    client.connect({
      host: sim.cluster.nodeAddress(node),
      port: sim.ssh.port,
      username: sim.ssh.user,
      privateKey,
      hostVerifier: (key: Buffer) => key.toString('base64') === sim.ssh.hostKeys[node]?.split(' ')[1],
      readyTimeout: 10_000,
    });
  }).finally(() => client.end());
}

const testVm = async (sim: Sim) =>
  ((await data(sim, 'GET', '/cluster/resources?type=vm')) as Entry[]).find((guest) => guest.vmid === 100);

describe('startSimulators({ clusters: 2 })', () => {
  let mon: Sim;
  let srv: Sim;
  beforeAll(async () => {
    [mon, srv] = (await startSimulators({
      clusters: 2,
      port: 0,
      sshPort: 0,
      speed: 100,
      authFailureDelayMs: 0,
    })) as [Sim, Sim];
  });
  afterAll(async () => {
    await Promise.all([mon?.stop(), srv?.stop()]);
  });

  it('runs MonCluster and SRV-Cluster with their own node names and loopback addresses', () => {
    expect([mon.clusterName, srv.clusterName]).toEqual(['MonCluster', 'SRV-Cluster']);
    expect(mon.nodes).toEqual(['node01', 'node02', 'node03']);
    expect(srv.nodes).toEqual(['srv01', 'srv02', 'srv03']);
    expect(mon.hosts.map((host) => new URL(host).hostname)).toEqual([
      '127.20.1.101',
      '127.20.1.102',
      '127.20.1.103',
    ]);
    expect(srv.hosts.map((host) => new URL(host).hostname)).toEqual([
      '127.20.2.101',
      '127.20.2.102',
      '127.20.2.103',
    ]);
    // Nothing secret or cryptographic is shared.
    expect(srv.tokenSecret).not.toBe(mon.tokenSecret);
    expect(srv.caPem).not.toBe(mon.caPem);
    expect(srv.fingerprints.some((fingerprint) => mon.fingerprints.includes(fingerprint))).toBe(false);
    expect(srv.ssh.clientPublicKey).not.toBe(mon.ssh.clientPublicKey);
    expect(srv.ssh.knownHosts).toContain('[srv01]:');
    expect(srv.ssh.knownHosts).not.toContain('node01');
  });

  it('answers /cluster/status on each with its own name and nodes', async () => {
    for (const [sim, name, nodes] of [
      [mon, 'MonCluster', ['node01', 'node02', 'node03']],
      [srv, 'SRV-Cluster', ['srv01', 'srv02', 'srv03']],
    ] as const) {
      const status = (await data(sim, 'GET', '/cluster/status')) as Entry[];
      expect(status.find((entry) => entry.type === 'cluster')).toMatchObject({ name, nodes: 3, quorate: 1 });
      expect(status.filter((entry) => entry.type === 'node').map((entry) => entry.name)).toEqual(nodes);
      expect(
        status.filter((entry) => entry.type === 'node').map((entry) => entry.ip),
        name,
      ).toEqual(sim.hosts.map((host) => new URL(host).hostname));
    }
  });

  it("refuses each cluster's token on the other cluster (401) and accepts it on its own", async () => {
    expect((await request(srv, 'GET', '/version', mon)).status).toBe(401);
    expect((await request(mon, 'GET', '/version', srv)).status).toBe(401);
    expect((await request(mon, 'GET', '/version')).status).toBe(200);
    expect((await request(srv, 'GET', '/version')).status).toBe(200);
  });

  it("has the guides' guests in both clusters, each on its own nodes", async () => {
    const names = async (sim: Sim) =>
      ((await data(sim, 'GET', '/cluster/resources?type=vm')) as Entry[]).map((guest) => guest.name).sort();
    expect(await names(srv)).toEqual(await names(mon));
    expect(await testVm(srv)).toMatchObject({ name: 'TestVM', node: 'srv01' });
  });

  it("leaves SRV-Cluster's TestVM where it is when MonCluster migrates its own", async () => {
    const where = async (sim: Sim) => {
      const guest = await testVm(sim);
      return { node: guest?.node, status: guest?.status, lock: guest?.lock };
    };
    const before = await where(srv);
    expect(before).toEqual({ node: 'srv01', status: 'running', lock: undefined });
    const upid = (await data(mon, 'POST', '/nodes/node01/qemu/100/migrate', {
      target: 'node02',
      online: '1',
    })) as string;
    const task = mon.cluster.task(upid);
    if (!task) throw new Error(`no task ${upid}`);
    await new Promise((resolve) => task.onDone(resolve));
    expect(task.record.exitstatus).toBe('OK');
    expect(await testVm(mon)).toMatchObject({ name: 'TestVM', node: 'node02' });
    expect(await where(srv)).toEqual(before);
    expect(srv.cluster.guest(100)).toMatchObject({ node: 'srv01' });
    expect(srv.cluster.task(upid)).toBeUndefined();
  });

  it("lets each cluster's key in on its own nodes' sshd only", async () => {
    expect((await sshRun(srv, 'srv02', 'test -f /var/run/reboot-required')).code).toBe(1);
    expect(await sshLogin(srv, 'srv01', mon.ssh.clientPrivateKey)).toMatchObject({
      level: 'client-authentication',
    });
    expect(await sshLogin(mon, 'node01', mon.ssh.clientPrivateKey)).toBe('ready');
  });
});

describe('the clusters’ layout', () => {
  it('puts SRV-Cluster on the next free 127.20.x block, also for large clusters', () => {
    expect(simClusterLayouts(2, 3)).toEqual([
      { clusterName: 'MonCluster', nodePrefix: 'node', addressBlock: 1 },
      { clusterName: 'SRV-Cluster', nodePrefix: 'srv', addressBlock: 2 },
    ]);
    // 154 nodes fill 127.20.1.101-254; 155 spill into 127.20.2.x, so SRV-Cluster starts at 127.20.3.
    expect(simClusterLayouts(2, 154)[1]?.addressBlock).toBe(2);
    expect(simClusterLayouts(2, 155)[1]?.addressBlock).toBe(3);
    expect(() => simClusterLayouts(3, 3)).toThrow('clusters must be a whole number from 1 to 2, got 3');
  });

  it('gives SRV-Cluster the next SSH port, or a free one for 0', () => {
    expect([simClusterSshPort(2222, 0), simClusterSshPort(2222, 1)]).toEqual([2222, 2223]);
    expect(simClusterSshPort(0, 1)).toBe(0);
  });

  it('names nodes and places HA groups after the prefix on PVE 8.4', async () => {
    const cluster = createCluster({
      pveVersion: '8.4',
      name: 'SRV-Cluster',
      nodePrefix: 'srv',
      addressBlock: 2,
    });
    try {
      expect(cluster.name).toBe('SRV-Cluster');
      expect(cluster.nodeAddress('srv03')).toBe('127.20.2.103');
      expect(await apiFor(cluster).call('GET', '/cluster/ha/groups')).toEqual([
        expect.objectContaining({ group: 'prefer-srv02', nodes: 'srv02:2,srv03' }),
      ]);
    } finally {
      cluster.close();
    }
  });

  it('refuses a name, prefix or block PVE or the loopback plan could not have', () => {
    expect(() => createCluster({ name: 'has space' })).toThrow(
      "cluster name must be 1 to 15 letters, digits and '-'",
    );
    expect(() => createCluster({ nodePrefix: '1x' })).toThrow('nodePrefix must be');
    expect(() => createCluster({ nodes: 250, addressBlock: 255 })).toThrow('addressBlock must be');
  });
});

describe('parseSimArgs --clusters', () => {
  it('reads --clusters 1 and 2, and leaves it out when not given', () => {
    expect(parseSimArgs(['--clusters', '2'])).toMatchObject({ clusters: 2, sshPort: 2222 });
    expect(parseSimArgs(['--clusters', '1']).clusters).toBe(1);
    expect(parseSimArgs([]).clusters).toBeUndefined();
  });

  it.each([
    [['--clusters', '3'], "--clusters must be a whole number from 1 to 2, got '3'"],
    [['--clusters', '0'], "--clusters must be a whole number from 1 to 2, got '0'"],
    [['--clusters', '2', '--ssh-port', '65535'], '--ssh-port must be at most 65534 with --clusters 2'],
  ])('refuses %j clearly', (argv, message) => {
    expect(() => parseSimArgs(argv)).toThrow(message);
  });
});
