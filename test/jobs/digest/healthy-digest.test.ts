// The default simulated cluster on a quiet day, read over HTTPS through the real client: a short,
// calm digest, from a known number of PVE calls, none of which changes anything.
import { describe, expect, it } from 'vitest';
import { buildDigest, renderDigestText } from '../../../src/jobs/digest/build-digest.js';
import { collectDigest } from '../../../src/jobs/digest/collect-digest.js';
import { digestMemorySchema, memoryOf } from '../../../src/jobs/digest/digest-memory.js';
import { useSimulatedCluster } from '../../proxmox/helpers/simulated-cluster.js';
import { isBackupRead, withoutBackups } from './helpers/digest-fixture.js';

const cluster = useSimulatedCluster();

describe('the digest of a healthy cluster', () => {
  it('is short and calm', async () => {
    const pve = cluster.client();
    const before = cluster.sim.requests.length;
    const input = withoutBackups(await collectDigest(pve));
    const report = buildDigest(input, undefined, Date.now());

    expect(report.healthy).toBe(true);
    expect(report.headline).toBe('MonCluster: healthy — 3/3 nodes online, quorate, 4/6 guests running');
    const lines = report.sections.flatMap((s) => s.lines);
    expect(lines.filter((l) => l.severity !== 'info')).toEqual([]);
    expect(report.sections.map((s) => s.title)).toEqual(['Cluster', 'Updates']);
    expect(lines.length).toBeLessThanOrEqual(4);
    const text = renderDigestText(report);
    expect(text).toMatch(
      /^Cluster\n• Quorate, 3\/3 votes, 2 needed · CPU \d+–\d+ % · memory \d+–\d+ % · up \d+–\d+ days\n/,
    );
    expect(text).toContain(
      '• Guests: 4 running, 2 stopped, 1 template — running/stopped node01 1/1, node02 2/0, node03 1/1',
    );
    expect(text).toContain(
      '• Updates pending: node01 6, node02 7, node03 8 — incl. kernel `6.17.4-1-pve` (reboot after upgrading), pve-manager 9.1.4',
    );
    expect(text).not.toMatch(/🔴|🟠/);
    expect(report.nodes.map((n) => [n.node, n.online, n.guestsRunning, n.guestsStopped])).toEqual([
      ['node01', true, 1, 1],
      ['node02', true, 2, 0],
      ['node03', true, 1, 1],
    ]);

    // 5 cluster-wide calls, 4 per node, and node03's replication state (files01 is replicated),
    // besides the backup reads (digest-backups.test.ts):
    // all reads, none refused, and no aptupdate task started.
    const calls = cluster.sim.requests.slice(before).filter((c) => !isBackupRead(c));
    expect(calls).toHaveLength(5 + 4 * 3 + 1);
    expect(calls.filter((c) => c.method !== 'GET')).toEqual([]);
    expect(calls.filter((c) => c.status !== 200)).toEqual([]);
    expect(calls.filter((c) => c.template === '/nodes/{node}/replication').map((c) => c.path)).toEqual([
      '/nodes/node03/replication',
    ]);
    expect(new Set(calls.map((c) => c.template))).toEqual(
      new Set([
        '/cluster/resources',
        '/cluster/status',
        '/cluster/tasks',
        '/cluster/ha/status/current',
        '/cluster/replication',
        '/nodes/{node}/time',
        '/nodes/{node}/certificates/info',
        '/nodes/{node}/apt/versions',
        '/nodes/{node}/apt/update',
        '/nodes/{node}/replication',
      ]),
    );
  });

  it('is plain JSON, and so is the memory it leaves for the next one', async () => {
    const input = await collectDigest(cluster.client(), { concurrency: 2, now: 1_762_243_200_000 });
    expect(input.collectedAt).toBe(1_762_243_200_000);
    expect(JSON.parse(JSON.stringify(input))).toEqual(input);
    const memory = memoryOf(input);
    expect(digestMemorySchema.parse(JSON.parse(JSON.stringify(memory)))).toEqual(memory);
    expect(Object.keys(memory.guests).sort()).toEqual(['100', '101', '102', '103', '200', '201', '9000']);
    expect(Object.keys(memory.nodeBoots)).toEqual(['node01', 'node02', 'node03']);
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(collectDigest(cluster.client(), { signal: controller.signal })).rejects.toThrow();
  });
});
