// How long the daily digest's chart takes to draw: ECharts to SVG, then resvg to PNG, for the
// default 3-node cluster and a 64-node one. The first render also loads ECharts, so it is shown
// apart. Measured here only: tests never assert time.
import type { NodeLoad } from '../src/core/digest/cluster-chart-types.js';
import { renderClusterChart } from '../src/core/digest/render-cluster-chart.js';
import { type BenchRow, percentile } from './report.js';

const ROUNDS = 20;
const GiB = 1024 ** 3;

function cluster(size: number): NodeLoad[] {
  return Array.from({ length: size }, (_, i) => ({
    node: `node${String(i + 1).padStart(2, '0')}`,
    // One node of the big cluster is down, as in the digest of a bad morning.
    online: size < 10 || i !== 41,
    cpu: ((i * 37) % 100) / 100,
    memUsed: (((i * 53) % 100) / 100) * 256 * GiB,
    memTotal: 256 * GiB,
    guestsRunning: (i * 7) % 90,
    guestsStopped: (i * 3) % 12,
  }));
}

async function measure(nodes: NodeLoad[]): Promise<{ p50: number; p95: number; bytes: number }> {
  const durations: number[] = [];
  let bytes = 0;
  for (let round = 0; round < ROUNDS; round += 1) {
    const started = performance.now();
    bytes = (await renderClusterChart(nodes)).length;
    durations.push(performance.now() - started);
  }
  durations.sort((a, b) => a - b);
  return { p50: percentile(durations, 50), p95: percentile(durations, 95), bytes };
}

export async function benchDigestChart(): Promise<BenchRow[]> {
  const small = cluster(3);
  const large = cluster(64);
  const started = performance.now();
  await renderClusterChart(small);
  const first = performance.now() - started;
  const three = await measure(small);
  const sixtyFour = await measure(large);
  const row = (what: string, m: typeof three): BenchRow => ({
    what,
    measured: `p50 ${m.p50.toFixed(0)} ms, p95 ${m.p95.toFixed(0)} ms (${(m.bytes / 1024).toFixed(0)} KiB)`,
    // No target for the picture alone (docs/architecture.md); it is part of the digest's 2 s.
    target: '— (part of the digest)',
    values: { p50Ms: m.p50, p95Ms: m.p95, bytes: m.bytes },
  });
  return [
    {
      what: 'digest chart, first render (loads ECharts)',
      measured: `${first.toFixed(0)} ms`,
      target: '—',
      values: { ms: first },
    },
    row('digest chart PNG, 3 nodes', three),
    row('digest chart PNG, 64 nodes (one offline)', sixtyFour),
  ];
}
