// One row per measured figure, printed as a table beside its DESIGN.md target and written to
// bench/results.json so numbers can be compared across commits.
import { writeFileSync } from 'node:fs';

export interface BenchRow {
  /** What was measured, as DESIGN.md's performance table names it. */
  what: string;
  /** The measured figure with its unit, e.g. "2 calls" or "p99 12.3 ms". */
  measured: string;
  /** The target from DESIGN.md, or "—" when the figure is informative only. */
  target: string;
  /** Whether the figure meets the target (undefined when there is no target). */
  ok?: boolean;
  /** Raw numbers for results.json. */
  values?: Record<string, number>;
}

export function printTable(rows: BenchRow[]): string {
  const header = ['what', 'measured', 'target', 'ok'];
  const cells = rows.map((r) => [
    r.what,
    r.measured,
    r.target,
    r.ok === undefined ? '' : r.ok ? 'yes' : 'NO',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (values: string[]) => `| ${values.map((v, i) => v.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

export function writeResults(rows: BenchRow[], file: URL): void {
  const results = {
    date: new Date().toISOString(),
    node: process.version,
    rows,
  };
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}
