// The daily digest, collect and build, on the default 3-node cluster and on a 64-node, 5,000-guest
// one: how long it takes (docs/architecture.md: ≤ 2 s for the large one) and how many PVE calls it
// makes (a constant number of cluster-wide calls, a fixed number per node, one per backup storage
// the cluster has (a shared one once, a local one per node) and at most 5 logs of failed backup
// runs; see collect-digest.ts and collect-backups.ts).
import { backupStorages } from '../src/jobs/backups/backup-storages.js';
import { buildDigest } from '../src/jobs/digest/build-digest.js';
import { collectDigest } from '../src/jobs/digest/collect-digest.js';
import { startCountedSimulator } from './counted-simulator.js';
import { type BenchRow, percentile } from './report.js';

const ROUNDS = 10;
const TARGET_MS = 2000;

async function measure(
  nodes: number,
  guests: number | undefined,
): Promise<{ calls: number; bound: number; p50: number; max: number; lines: number }> {
  const counted = await startCountedSimulator(nodes, guests);
  const client = counted.client;
  try {
    await collectDigest(client); // warm-up: TLS handshakes, JIT
    const storages = backupStorages(await client.clusterResources()).length;
    counted.resetCalls();
    const durations: number[] = [];
    let lines = 0;
    for (let round = 0; round < ROUNDS; round += 1) {
      const started = performance.now();
      const report = buildDigest(await collectDigest(client), undefined, Date.now());
      durations.push(performance.now() - started);
      lines = report.sections.reduce((sum, section) => sum + section.lines.length, 0);
    }
    durations.sort((a, b) => a - b);
    return {
      calls: counted.calls() / ROUNDS,
      bound: 5 + 5 * nodes + storages + 5,
      p50: percentile(durations, 50),
      max: durations.at(-1) ?? Number.NaN,
      lines,
    };
  } finally {
    await counted.stop();
  }
}

export async function benchDigest(): Promise<BenchRow[]> {
  const small = await measure(3, undefined);
  const large = await measure(64, 5000);
  return [
    {
      what: 'PVE calls for a digest (3 nodes)',
      measured: `${small.calls} calls`,
      target: `≤ ${small.bound} (5 + 5 per node + 1 per backup storage + ≤ 5 backup logs)`,
      ok: small.calls <= small.bound,
      values: { calls: small.calls },
    },
    {
      what: 'PVE calls for a digest (64 nodes, 5,000 guests)',
      measured: `${large.calls} calls`,
      target: `≤ ${large.bound} (5 + 5 per node + 1 per backup storage + ≤ 5 backup logs)`,
      ok: large.calls <= large.bound,
      values: { calls: large.calls },
    },
    {
      what: `digest time, collect + build, 3 nodes (${small.lines} lines)`,
      measured: `p50 ${small.p50.toFixed(0)} ms, max ${small.max.toFixed(0)} ms`,
      target: '—',
      values: { p50Ms: small.p50, maxMs: small.max },
    },
    {
      what: 'digest of a 64-node, 5,000-guest simulated cluster',
      measured: `p50 ${large.p50.toFixed(0)} ms, max ${large.max.toFixed(0)} ms`,
      target: `≤ ${TARGET_MS / 1000} s`,
      ok: large.max <= TARGET_MS,
      design: 'digest',
      summary: `max ${large.max.toFixed(0)} ms, p50 ${large.p50.toFixed(0)} ms (collect + build, ${ROUNDS} rounds)`,
      values: { p50Ms: large.p50, maxMs: large.max },
    },
  ];
}
