// One row per measured figure. The printed table starts with the performance targets of
// docs/architecture.md, in its order, each with the figure that answers it and yes/NO, then every
// other (informative) row; bench/results.json holds both, so numbers can be compared across
// commits.
import { writeFileSync } from 'node:fs';

/** docs/architecture.md "Performance targets", in its order and words (test/project.test.ts checks). */
export const PERFORMANCE_TARGETS = [
  {
    key: 'ack',
    what: 'slash-command acknowledgement, 200 concurrent commands',
    target: 'p99 ≤ 50 ms (Slack allows 3 s)',
  },
  {
    key: 'replica-burst',
    what: '1,000 simultaneous `/pve status` over two `pve-chatops bot` replicas',
    target: 'none acknowledged past Slack’s 3 s; every result arrives',
  },
  { key: 'first-call', what: 'command received → first PVE API call (no approval)', target: 'p50 ≤ 20 ms' },
  {
    key: 'status-calls',
    what: 'PVE calls for `/pve status`',
    target: 'constant in cluster size (one /cluster/resources read plus cluster status)',
  },
  {
    key: 'status-burst',
    what: '`/cluster/resources` reads for 200 simultaneous `/pve status`',
    target: '≤ 5 (one read shared while under way and for 2 s after)',
  },
  {
    key: 'result',
    what: 'task finished in PVE → result visible in chat',
    target: 'p95 ≤ 2 s, with ≤ 1 chat edit per 2 s per message',
  },
  { key: 'throughput', what: 'status jobs through one worker', target: '≥ 200 jobs/s' },
  { key: 'digest', what: 'digest of a 64-node, 5,000-guest simulated cluster', target: '≤ 2 s' },
  { key: 'memory', what: 'idle memory, bot and worker in one process', target: '≤ 150 MB RSS' },
] as const;

export type DesignKey = (typeof PERFORMANCE_TARGETS)[number]['key'];

export interface BenchRow {
  /** What was measured, and how. */
  what: string;
  /** The measured figure with its unit, e.g. "2 calls" or "p99 12.3 ms". */
  measured: string;
  /** The target from docs/architecture.md, or "—" when the figure is informative only. */
  target: string;
  /** Whether the figure meets the target (undefined when there is no target). */
  ok?: boolean;
  /** The target this row answers (a target may take several rows: all must be ok). */
  design?: DesignKey;
  /** The figure as the target's row shows it (with how it was measured); `measured` otherwise. */
  summary?: string;
  /** Raw numbers for results.json. */
  values?: Record<string, number>;
}

export interface DesignResult {
  what: string;
  measured: string;
  target: string;
  ok: boolean;
}

/** One line per target: its rows' figures joined, ok when there are some and all are ok. */
export function designResults(rows: BenchRow[]): DesignResult[] {
  return PERFORMANCE_TARGETS.map(({ key, what, target }) => {
    const answers = rows.filter((r) => r.design === key);
    return {
      what,
      measured:
        answers.length === 0 ? 'not measured' : answers.map((r) => r.summary ?? r.measured).join('; '),
      target,
      ok: answers.length > 0 && answers.every((r) => r.ok === true),
    };
  });
}

export function printTable(rows: BenchRow[]): string {
  const header = ['what', 'measured', 'target', 'ok'];
  const cells = [
    ...designResults(rows).map((r) => [r.what, r.measured, r.target, r.ok ? 'yes' : 'NO']),
    ...rows
      .filter((r) => r.design === undefined)
      .map((r) => [r.what, r.measured, r.target, r.ok === undefined ? '' : r.ok ? 'yes' : 'NO']),
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (values: string[]) => `| ${values.map((v, i) => v.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

export function writeResults(rows: BenchRow[], file: URL): void {
  const results = {
    date: new Date().toISOString(),
    node: process.version,
    targets: designResults(rows),
    rows,
  };
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}
