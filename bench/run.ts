// `npm run bench`: every benchmark, one table, and bench/results.json. Benchmarks only ever talk
// to 127.0.0.0/8 (the simulator's loopback addresses).
import { benchBalancePlan } from './balance-plan.js';
import { benchClusterStatusRead } from './cluster-status-read.js';
import { benchDigest } from './digest.js';
import { benchDigestChart } from './digest-chart.js';
import { benchDiscordAck } from './discord-ack.js';
import { benchJobThroughput } from './job-throughput.js';
import { type BenchRow, printTable, writeResults } from './report.js';
import { benchSlackAck } from './slack-ack.js';

const benchmarks: Array<[string, () => Promise<BenchRow[]>]> = [
  ['cluster status read', benchClusterStatusRead],
  ['digest', benchDigest],
  ['job engine', benchJobThroughput],
  ['slack ack', benchSlackAck],
  ['discord ack', benchDiscordAck],
  ['digest chart', benchDigestChart],
  ['balance plan', benchBalancePlan],
];

const rows: BenchRow[] = [];
for (const [name, run] of benchmarks) {
  process.stderr.write(`bench: ${name}…\n`);
  rows.push(...(await run()));
}
process.stdout.write(`${printTable(rows)}\n`);
writeResults(rows, new URL('./results.json', import.meta.url));
process.stderr.write('bench: written to bench/results.json\n');
