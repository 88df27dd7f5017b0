import { X509Certificate } from 'node:crypto';
import { connect, type PeerCertificate } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeSimulator, type RunningSimulator } from '../../src/sim/compose-simulator.js';
import { createImpostorCertificate } from '../../src/sim/server/certificates.js';
import { type FakeCluster, fakeDomain } from './helpers/fake-domain.js';

function peerCertificate(host: string, ca: string): Promise<PeerCertificate> {
  const url = new URL(host);
  return new Promise((resolve, reject) => {
    // Normal verification against the cluster CA, hostname (an IP here) included.
    const socket = connect({ host: url.hostname, port: Number(url.port), ca }, () => {
      resolve(socket.getPeerCertificate());
      socket.end();
    });
    socket.on('error', reject);
  });
}

describe('simulator certificates', () => {
  let sim: RunningSimulator<FakeCluster>;

  beforeAll(async () => {
    sim = await composeSimulator({ nodes: 2, port: 0, authFailureDelayMs: 0 }, fakeDomain());
  });
  afterAll(() => sim.stop());

  it('serves each node a CA-signed leaf with the SANs of gen_pve_ssl_cert', async () => {
    const cert = await peerCertificate(sim.hosts[1] as string, sim.caPem);
    expect(cert.subjectaltname).toBe(
      'IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, DNS:localhost, IP Address:127.20.1.102, DNS:node02',
    );
    expect(cert.issuer.CN).toBe('Proxmox Virtual Environment');
    expect(cert.subject.OU).toBe('PVE Cluster Node');
  });

  it('publishes the fingerprint the node actually presents, in PVE format, and tells the cluster', async () => {
    for (const [i, host] of sim.hosts.entries()) {
      const cert = await peerCertificate(host, sim.caPem);
      expect(sim.fingerprints[i]).toBe(cert.fingerprint256);
      expect(sim.fingerprints[i]).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
      expect(sim.cluster.fingerprints.get(sim.nodes[i] as string)).toBe(sim.fingerprints[i]);
    }
    expect(new Set(sim.fingerprints).size).toBe(sim.fingerprints.length);
  });

  it('serves an impostor certificate on one node while the fault is on', async () => {
    await sim.faults.impostorCertificate('node01');
    try {
      await expect(peerCertificate(sim.hosts[0] as string, sim.caPem)).rejects.toThrow();
      // Connected without verification: the node now presents a different fingerprint.
      const seen = await new Promise<string>((resolve, reject) => {
        const url = new URL(sim.hosts[0] as string);
        const socket = connect(
          { host: url.hostname, port: Number(url.port), rejectUnauthorized: false },
          () => {
            resolve(socket.getPeerCertificate().fingerprint256);
            socket.end();
          },
        );
        socket.on('error', reject);
      });
      expect(seen).not.toBe(sim.fingerprints[0]);
    } finally {
      await sim.faults.impostorCertificate('node01', false);
    }
    expect((await peerCertificate(sim.hosts[0] as string, sim.caPem)).fingerprint256).toBe(
      sim.fingerprints[0],
    );
  });

  it('makes impostor certificates that neither match the fingerprint nor chain to the CA', async () => {
    const impostor = await createImpostorCertificate('node01', '127.20.1.101');
    expect(impostor.fingerprint).not.toBe(sim.fingerprints[0]);
    const ca = new X509Certificate(sim.caPem);
    expect(new X509Certificate(impostor.certPem).checkIssued(ca)).toBe(false);
    expect(new X509Certificate(impostor.certPem).checkHost('node01')).toBe('node01');
  });
});
