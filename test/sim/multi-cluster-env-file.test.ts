// `pve-chatops sim --clusters 2 --env-file FILE`: the env file names a clusters file (FILE.clusters.yml)
// that the bot's own PVE_CLUSTERS_FILE reader accepts, with each cluster's SSH files next to it,
// and whose hosts, tokens and fingerprints reach the right running cluster.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runSimCommand } from '../../src/app/run-sim-command.js';
import { readClustersFile } from '../../src/config/read-clusters-config.js';
import { silentLogger } from '../../src/logger.js';
import { type RunningSimulator, startSimulator } from '../../src/sim/simulator.js';
import { call } from './helpers/https-call.js';

describe('sim --clusters 2 --env-file FILE', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pve-sim-clusters-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('writes PVE_CLUSTERS_FILE and a clusters file readClustersFile accepts, with both clusters', async () => {
    let stop!: () => void;
    const stopRequested = new Promise<void>((resolve) => {
      stop = resolve;
    });
    let announced!: () => void;
    const bannerShown = new Promise<void>((resolve) => {
      announced = resolve;
    });
    const sims: RunningSimulator[] = [];
    const output: string[] = [];
    const envFile = join(dir, 'sim.env');
    const caFile = join(dir, 'ca.pem');
    const argv = [
      '--clusters',
      '2',
      '--env-file',
      envFile,
      '--ca-file',
      caFile,
      '--port',
      '0',
      '--ssh-port',
      '0',
    ];
    const running = runSimCommand(argv, {
      start: async (options) => {
        const sim = await startSimulator({ ...options, authFailureDelayMs: 0 });
        sims.push(sim);
        return sim;
      },
      out: (text) => {
        output.push(text);
        if (text.includes('Press Ctrl+C')) announced();
      },
      err: (text) => output.push(text),
      stopRequested,
      logger: silentLogger,
    });
    try {
      await bannerShown;
      const [mon, srv] = sims as [RunningSimulator, RunningSimulator];
      const banner = output.join('');
      expect(banner).toContain("Cluster 'MonCluster':");
      expect(banner).toContain("Cluster 'SRV-Cluster':");
      expect(banner).toContain(`srv02  ${srv.hosts[1]}  ${srv.fingerprints[1]}`);
      expect(banner).toContain(`node02  ${mon.hosts[1]}  ${mon.fingerprints[1]}`);
      expect(banner).toContain(`SSH: user root, port ${srv.ssh.port} on every node's address`);
      for (const sim of sims) {
        expect(banner).not.toContain(sim.tokenSecret);
        expect(banner).not.toContain(sim.ssh.clientPrivateKey.split('\n')[1]);
      }

      // The env file holds PVE_CLUSTERS_FILE only, an absolute path.
      const clustersFile = `${envFile}.clusters.yml`;
      expect(parseEnv(await readFile(envFile, 'utf8'))).toEqual({ PVE_CLUSTERS_FILE: clustersFile });
      expect((await stat(envFile)).mode & 0o777).toBe(0o600);
      expect((await stat(clustersFile)).mode & 0o777).toBe(0o600);

      const clusters = readClustersFile(clustersFile);
      expect(clusters.map((cluster) => cluster.name)).toEqual(['moncluster', 'srv-cluster']);
      for (const [index, sim] of sims.entries()) {
        const cluster = clusters[index];
        const name = cluster?.name as string;
        const ssh = {
          keyFile: `${envFile}.${name}.ssh_key`,
          knownHostsFile: `${envFile}.${name}.known_hosts`,
        };
        expect(cluster).toEqual({
          name,
          pve: {
            hosts: sim.hosts,
            tokenId: 'chatops@pve!bot',
            tokenSecret: sim.tokenSecret,
            tls: { mode: 'fingerprints', fingerprints: sim.fingerprints },
          },
          ssh: { user: 'root', port: sim.ssh.port, ...ssh },
        });
        expect(await readFile(ssh.keyFile, 'utf8')).toBe(sim.ssh.clientPrivateKey);
        expect(await readFile(ssh.knownHostsFile, 'utf8')).toBe(sim.ssh.knownHosts);
        for (const file of [ssh.keyFile, ssh.knownHostsFile])
          expect((await stat(file)).mode & 0o777).toBe(0o600);
        // Each entry's token reaches its own cluster, by the host it lists.
        const res = await call(
          cluster?.pve.hosts[2] as string,
          sim.caPem,
          'GET',
          '/api2/json/cluster/status',
          {
            headers: { Authorization: `PVEAPIToken=${cluster?.pve.tokenId}=${cluster?.pve.tokenSecret}` },
          },
        );
        expect(res.status).toBe(200);
        const status = (res.json as { data: Array<Record<string, unknown>> }).data;
        expect(status.find((entry) => entry.type === 'cluster')?.name).toBe(sim.clusterName);
      }
      expect(clusters[1]?.pve.hosts.map((host) => new URL(host).hostname)).toEqual([
        '127.20.2.101',
        '127.20.2.102',
        '127.20.2.103',
      ]);
      // The CA file holds both clusters' CAs.
      expect(await readFile(caFile, 'utf8')).toBe(`${mon.caPem.trimEnd()}\n${srv.caPem.trimEnd()}\n`);
    } finally {
      stop();
      await running;
    }
    expect(output.join('')).toContain('Stopping the simulator');
  });
});
