// A node that is down, or up but not answering, is reported; the digest is still made, from the
// other nodes, and never waits on the dead one.
import { describe, expect, it } from 'vitest';
import { buildDigest } from '../../../src/jobs/digest/build-digest.js';
import { collectDigest } from '../../../src/jobs/digest/collect-digest.js';
import { useSimulatedCluster } from '../../proxmox/helpers/simulated-cluster.js';
import { isBackupRead, withoutBackups } from './helpers/digest-fixture.js';

const cluster = useSimulatedCluster();

describe('the digest with a node in trouble', () => {
  it('reports a node that is down as critical and reads the others', async () => {
    const { sim } = cluster;
    await sim.faults.nodeDown('node03');
    try {
      const before = sim.requests.length;
      const input = withoutBackups(await collectDigest(cluster.client()));
      const report = buildDigest(input, undefined, Date.now());

      expect(report.headline).toBe('MonCluster: 1 problem — node03 offline');
      expect(report.sections[0]).toEqual({
        title: 'Nodes',
        lines: [{ severity: 'critical', text: 'node03: offline — not read; 2 guests on it are unknown' }],
      });
      expect(report.sections.find((s) => s.title === 'Cluster')?.lines[0]).toEqual({
        severity: 'info',
        text: 'Quorate with 2/3 votes, 2 needed: one more node down and the cluster loses quorum',
      });
      // node01 and node02 were read in full; node03 was not asked (nor for files01's replication).
      for (const node of input.nodes.slice(0, 2)) {
        expect(node.details?.errors).toEqual({});
        expect(node.details?.time).toBeDefined();
      }
      expect(input.nodes[2]).toMatchObject({ node: 'node03', online: false });
      expect(input.nodes[2]?.details).toBeUndefined();
      const calls = sim.requests.slice(before).filter((c) => !isBackupRead(c));
      expect(calls).toHaveLength(5 + 4 * 2);
      expect(sim.requests.slice(before).filter((c) => c.path.startsWith('/nodes/node03'))).toEqual([]);
      expect(report.nodes.find((n) => n.node === 'node03')).toMatchObject({ online: false, cpu: 0 });
    } finally {
      await sim.faults.nodeUp('node03');
    }
  });

  it('reports a node whose API does not answer as not read, with the proxy’s error', async () => {
    const { sim } = cluster;
    await sim.faults.apiDown('node02');
    try {
      const report = buildDigest(
        withoutBackups(await collectDigest(cluster.client())),
        undefined,
        Date.now(),
      );
      expect(report.headline).toBe('MonCluster: 1 problem — node02 not read');
      expect(report.sections[0]).toEqual({
        title: 'Nodes',
        lines: [
          {
            severity: 'warning',
            text: 'node02: online in the cluster, but its reads failed (`node unreachable (595 Connection refused)`): not read',
          },
        ],
      });
    } finally {
      await sim.faults.apiUp('node02');
    }
  });
});
