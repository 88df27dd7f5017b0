import { describe, expect, it } from 'vitest';
import { ProxmoxClient } from '../../src/proxmox/proxmox-client.js';
import { createCertificateAuthority } from '../../src/sim/server/certificates.js';
import { recordingLogger, useSimulatedCluster } from './helpers/simulated-cluster.js';

const cluster = useSimulatedCluster();
const WRONG = Array.from({ length: 32 }, () => 'AB').join(':');

describe('TLS verification', () => {
  it('refuses a certificate that is not pinned before sending any request, and logs it', async () => {
    const logger = recordingLogger();
    const before = cluster.sim.requests.length;
    const client = cluster.client({ hosts: [cluster.sim.hosts[0]!], fingerprints: [WRONG], logger });
    const error = await client.version().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'PVE_TLS', mayHaveReachedServer: false });
    expect((error as Error).message).toContain('not pinned');
    expect(cluster.sim.requests.length).toBe(before);
    expect(logger.lines).toContainEqual(
      expect.objectContaining({ level: 'warn', message: expect.stringContaining('certificate refused') }),
    );
  });

  it('compares fingerprints case-insensitively', async () => {
    const client = cluster.client({ fingerprints: cluster.sim.fingerprints.map((f) => f.toLowerCase()) });
    await expect(client.version()).resolves.toHaveProperty('version');
  });

  it('skips a host with a wrong certificate and uses the next one', async () => {
    // Only node02's fingerprint is pinned: node01 presents a certificate that is not.
    const client = cluster.client({ fingerprints: [cluster.sim.fingerprints[1]!] });
    const before = cluster.sim.requests.length;
    await client.version();
    expect(cluster.sim.requests.slice(before)).toEqual([
      expect.objectContaining({ node: 'node02', path: '/version' }),
    ]);
  });

  it('verifies against the cluster CA, including the address', async () => {
    const client = cluster.client({ fingerprints: undefined, caPem: cluster.sim.caPem });
    await expect(client.clusterStatus()).resolves.toMatchObject({ clusterName: cluster.sim.clusterName });
  });

  it('refuses a server whose certificate is not signed by the given CA', async () => {
    // Another cluster's CA: valid, but it signed nothing the simulator serves.
    const other = await createCertificateAuthority();
    const client = cluster.client({ fingerprints: undefined, caPem: other.certPem });
    const before = cluster.sim.requests.length;
    const error = await client.version().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'PVE_TLS' });
    expect(cluster.sim.requests.length).toBe(before);
  });

  it('skips a node presenting an impostor certificate, pinned or CA-verified, and sends it nothing', async () => {
    const { sim } = cluster;
    await sim.faults.impostorCertificate('node01');
    try {
      const logger = recordingLogger();
      const pinned = cluster.client({ logger });
      const verified = cluster.client({ fingerprints: undefined, caPem: sim.caPem });
      const before = sim.requests.length;
      await pinned.version();
      await verified.version();
      expect(sim.requests.slice(before).map((r) => r.node)).toEqual(['node02', 'node02']);
      expect(logger.lines).toContainEqual(
        expect.objectContaining({
          level: 'warn',
          fields: expect.objectContaining({ host: expect.stringContaining('127.20.1.101') }),
        }),
      );
    } finally {
      await sim.faults.impostorCertificate('node01', false);
    }
  });

  it('only skips verification when asked explicitly, and warns when it is created', async () => {
    const logger = recordingLogger();
    const client = cluster.client({ fingerprints: undefined, insecureSkipTlsVerify: true, logger });
    expect(logger.lines).toContainEqual(
      expect.objectContaining({ level: 'warn', message: expect.stringContaining('DISABLED') }),
    );
    await expect(client.version()).resolves.toHaveProperty('version');
  });

  it('rejects conflicting or malformed TLS settings before any I/O', () => {
    const base = { hosts: ['https://127.0.0.1:8006'], tokenId: 'a@pve!b', tokenSecret: 's' };
    expect(() => new ProxmoxClient({ ...base, fingerprints: [WRONG], insecureSkipTlsVerify: true })).toThrow(
      expect.objectContaining({ code: 'PVE_CONFIG' }),
    );
    expect(() => new ProxmoxClient({ ...base, fingerprints: ['AB:CD'] })).toThrow(
      /invalid SHA-256 fingerprint/,
    );
    expect(
      () => new ProxmoxClient({ ...base, hosts: ['http://127.0.0.1:8006'], fingerprints: [WRONG] }),
    ).toThrow(/https/);
  });
});
