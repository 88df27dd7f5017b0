// Acknowledgement figures measured in rounds. One burst on a shared 2-core machine is at the mercy
// of whatever else runs in that second (a CI job, another benchmark), so a product's burst and
// the floor's (a bare Bolt app, a bare discord.js client) are measured alternately, round after
// round, each with the other idle; the comparison is the median of the rounds, and every round's
// own figures are kept in the row's values to show the spread.
import { percentile } from './report.js';

export interface AckFigures {
  p50: number;
  p99: number;
  max: number;
  /** Acks that did not come (or not with 200): counted at the platform's 3 s. */
  failed: number;
}

/** The figures of one burst, from each command's ack time. */
export function ackFigures(acksMs: number[], failed: number): AckFigures {
  const sorted = [...acksMs].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
    failed,
  };
}

/** The median of each figure over the rounds (failed: the sum). */
export function medianFigures(rounds: AckFigures[]): AckFigures {
  const median = (values: number[]): number => {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1
      ? (sorted[middle] ?? Number.NaN)
      : ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2;
  };
  return {
    p50: median(rounds.map((r) => r.p50)),
    p99: median(rounds.map((r) => r.p99)),
    max: median(rounds.map((r) => r.max)),
    failed: rounds.reduce((sum, r) => sum + r.failed, 0),
  };
}

/**
 * Runs `rounds` rounds of the floor's burst, then the product's; resolves with each side's
 * rounds. Each side's burst returns once its own work is done (the product's results are in
 * chat), so neither measures the other's leftovers.
 */
export async function alternateRounds<Floor extends AckFigures, Product extends AckFigures>(
  rounds: number,
  floor: () => Promise<Floor>,
  product: () => Promise<Product>,
): Promise<{ floor: Floor[]; product: Product[] }> {
  const measured = { floor: [] as Floor[], product: [] as Product[] };
  for (let round = 0; round < rounds; round += 1) {
    measured.floor.push(await floor());
    measured.product.push(await product());
  }
  return measured;
}

export function ackText(f: AckFigures): string {
  const failed = f.failed > 0 ? `, ${f.failed} not answered in time` : '';
  return `p99 ${f.p99.toFixed(1)} ms, p50 ${f.p50.toFixed(1)} ms${failed}`;
}

/** The row's values: the medians, and each round’s p99 (p99Round1Ms, p99Round2Ms and so on) to show the spread. */
export function ackValues(median: AckFigures, rounds: AckFigures[]): Record<string, number> {
  return {
    p50Ms: median.p50,
    p99Ms: median.p99,
    maxMs: median.max,
    failed: median.failed,
    ...Object.fromEntries(rounds.map((r, i) => [`p99Round${i + 1}Ms`, r.p99])),
  };
}
