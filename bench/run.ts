// `npm run bench`: every benchmark, one table led by the performance targets
// (docs/architecture.md), and bench/results.json. Benchmarks only ever talk to 127.0.0.0/8 (the
// simulator's loopback addresses, the fakes, Redis). A benchmark that fails becomes a row saying
// so; the others still run.
import { benchAckOwnProcess } from './ack-own-process.js';
import { benchBalancePlan } from './balance-plan.js';
import { benchBotReplicas } from './bot-replicas.js';
import { compiledBuild } from './cli-process.js';
import { benchClusterStatusRead } from './cluster-status-read.js';
import { benchDigest } from './digest.js';
import { benchDigestChart } from './digest-chart.js';
import { benchDiscordAck } from './discord-ack.js';
import { benchFirstPveCall } from './first-pve-call.js';
import { benchIdleMemory } from './idle-memory.js';
import { benchJobThroughput } from './job-throughput.js';
import { type BenchRow, printTable, writeResults } from './report.js';
import { benchSlackAck } from './slack-ack.js';
import { benchStatusSharedRead } from './status-shared-read.js';
import { benchTaskToChat } from './task-to-chat.js';

/** The compiled build the process benchmarks run (`npm run build`), made first, alone. */
async function benchBuild(): Promise<BenchRow[]> {
  const build = await compiledBuild();
  return [
    {
      what: 'compiled build for the process benchmarks (tsc -p tsconfig.build.json)',
      measured: !build.ok
        ? `failed (the process benchmarks use tsx): ${build.errors ?? 'no cli.js'}`
        : build.errors
          ? `emitted with type errors: ${build.errors.split('\n')[0]}`
          : build.seconds === 0
            ? 'reused (src/ unchanged)'
            : `built in ${build.seconds.toFixed(0)} s`,
      target: '—',
    },
  ];
}

const benchmarks: Array<[string, () => Promise<BenchRow[]>]> = [
  ['build', benchBuild],
  ['cluster status read', benchClusterStatusRead],
  ['200 status at once', benchStatusSharedRead],
  ['digest', benchDigest],
  ['job engine', benchJobThroughput],
  ['command → first PVE call', benchFirstPveCall],
  ['task → result in chat', benchTaskToChat],
  ['ack, bot in its own process', benchAckOwnProcess],
  ['bot replicas: CPU per command, 1,000 at once over two', benchBotReplicas],
  ['slack ack, single process', benchSlackAck],
  ['discord ack, single process', benchDiscordAck],
  ['idle memory', benchIdleMemory],
  ['digest chart', benchDigestChart],
  ['balance plan', benchBalancePlan],
];

const rows: BenchRow[] = [];
const started = performance.now();
for (const [name, run] of benchmarks) {
  process.stderr.write(`bench: ${name}…\n`);
  const at = performance.now();
  try {
    rows.push(...(await run()));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`bench: ${name} failed: ${error instanceof Error ? error.stack : message}\n`);
    rows.push({
      what: `${name}: the benchmark failed`,
      measured: message.split('\n')[0]!.slice(0, 160),
      target: '—',
    });
  }
  process.stderr.write(`bench: ${name} took ${((performance.now() - at) / 1000).toFixed(0)} s\n`);
}
process.stdout.write(`${printTable(rows)}\n`);
writeResults(rows, new URL('./results.json', import.meta.url));
process.stderr.write(
  `bench: ${((performance.now() - started) / 1000).toFixed(0)} s in all; written to bench/results.json\n`,
);
// Handles a failed benchmark left open (a socket, a child's pipe) must not keep the run alive.
process.exit(0);
