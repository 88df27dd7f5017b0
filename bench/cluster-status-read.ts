// How many PVE calls, and how long, a whole-cluster status read takes on the default 3-node
// cluster and on a 64-node, 5,000-guest one. The call count must not grow with the cluster.
import { startCountedSimulator } from './counted-simulator.js';
import { type BenchRow, percentile } from './report.js';

const ROUNDS = 30;

async function measure(
  nodes: number,
  guests: number | undefined,
): Promise<{ calls: number; p50: number; p95: number; entries: number }> {
  const counted = await startCountedSimulator(nodes, guests);
  const client = counted.client;
  try {
    await client.clusterSnapshot(); // warm-up: TLS handshakes, JIT
    counted.resetCalls();
    const durations: number[] = [];
    let entries = 0;
    for (let round = 0; round < ROUNDS; round += 1) {
      const started = performance.now();
      const snapshot = await client.clusterSnapshot();
      durations.push(performance.now() - started);
      entries = snapshot.resources.length;
    }
    durations.sort((a, b) => a - b);
    return {
      calls: counted.calls() / ROUNDS,
      p50: percentile(durations, 50),
      p95: percentile(durations, 95),
      entries,
    };
  } finally {
    await counted.stop();
  }
}

export async function benchClusterStatusRead(): Promise<BenchRow[]> {
  const small = await measure(3, undefined);
  const large = await measure(64, 5000);
  // One /cluster/resources read plus the cluster status, whatever the size.
  const constant = small.calls === large.calls && small.calls === 2;
  return [
    {
      what: 'PVE calls for a cluster status read (3 nodes)',
      measured: `${small.calls} calls`,
      target: 'constant in cluster size',
      ok: constant,
      design: 'status-calls',
      summary: `${small.calls} calls with 3 nodes`,
      values: { calls: small.calls },
    },
    {
      what: 'PVE calls for a cluster status read (64 nodes, 5,000 guests)',
      measured: `${large.calls} calls`,
      target: 'constant in cluster size',
      ok: constant,
      design: 'status-calls',
      summary: `${large.calls} calls with 64 nodes and 5,000 guests`,
      values: { calls: large.calls },
    },
    {
      what: `cluster status read time, 3 nodes (${small.entries} resources)`,
      measured: `p50 ${small.p50.toFixed(1)} ms, p95 ${small.p95.toFixed(1)} ms`,
      target: '—',
      values: { p50Ms: small.p50, p95Ms: small.p95 },
    },
    {
      what: `cluster status read time, 64 nodes (${large.entries} resources)`,
      measured: `p50 ${large.p50.toFixed(1)} ms, p95 ${large.p95.toFixed(1)} ms`,
      target: '—',
      values: { p50Ms: large.p50, p95Ms: large.p95 },
    },
  ];
}
