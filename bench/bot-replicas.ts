// The bot scaled out, from the compiled build in processes of their own, against `pve-chatops sim`
// (another process), the real Redis, and FakeSlack in this process:
//   - CPU time per command in `pve-chatops bot` (a worker in another process): read from
//     /proc/<pid>/stat (utime + stime, every thread) before and after 200 `/pve status`, sent 10
//     in flight, their results in chat included; the bot's idle CPU over the same time (measured
//     for 5 s before) is subtracted, and the gross figure shown too. Linux only.
//   - 1,000 `/pve status` at once over two `pve-chatops bot` replicas (one Redis, one
//     REDIS_PREFIX, each on its own port, the requests alternating between them) and one worker:
//     how many were acknowledged later than Slack's 3 s (connect → first byte, waited for up to
//     30 s so a late ack still has a figure), p50 and p99, and that every result reached chat.
// The requests go out over plain sockets, built and signed beforehand (raw-slash-commands.ts).
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRedis } from '../src/jobs/redis-connection.js';
import { silentLogger } from '../src/logger.js';
import { FakeSlack } from '../test/fakes/slack/fake-slack.js';
import {
  type CliProcess,
  compiledBuild,
  freePort,
  type Runtime,
  type SimProcess,
  startProductProcess,
  startSimProcess,
} from './cli-process.js';
import { buildSlashRequest, type RawAck, sendRaw } from './raw-slash-commands.js';
import { type BenchRow, percentile } from './report.js';

const CPU_COMMANDS = 200;
const CPU_IN_FLIGHT = 10;
const IDLE_WINDOW_MS = 5_000;
const BURST = 1_000;
const REPLICAS = 2;
/** Slack's limit for an acknowledgement; later, the person sees "operation_timeout". */
const SLACK_ACK_MS = 3_000;
/** How long a late ack is still waited for, so it is counted with its figure rather than lost. */
const ACK_WAIT_MS = 30_000;
const WARMUP = 10;
/** Results of a burst are waited for this long; the intake refuses entries older than 2 min. */
const RESULTS_WAIT_MS = 180_000;
const CHANNELS = 20;

interface Deployment {
  processes: CliProcess[];
  bots: CliProcess[];
  urls: URL[];
  stop(): Promise<void>;
}

/** A worker and `bots` bot replicas on one REDIS_PREFIX, each bot on its own port. */
async function deploy(runtime: Runtime, sim: SimProcess, fake: FakeSlack, bots: number): Promise<Deployment> {
  const prefix = `bench-replicas-${randomUUID()}`;
  const redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', silentLogger, 'bench');
  const processes: CliProcess[] = [];
  const stop = async () => {
    for (const child of processes.reverse()) await child.stop();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.unlink(...keys);
    redis.disconnect();
  };
  try {
    const start = async (command: 'bot' | 'worker') => {
      const port = await freePort();
      const child = await startProductProcess({ runtime, command, sim, slack: fake, prefix, port });
      processes.push(child);
      return { child, url: new URL(`http://127.0.0.1:${port}/slack/events`) };
    };
    await start('worker');
    const started = [];
    for (let i = 0; i < bots; i += 1) started.push(await start('bot'));
    return { processes, bots: started.map((s) => s.child), urls: started.map((s) => s.url), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Resolves once `count` request messages in these channels carry their outcome; false after
 * `timeoutMs`. Looked at every 250 ms rather than on every change FakeSlack records: with
 * thousands of messages, a predicate run at each of their calls would cost this process (where
 * FakeSlack answers the bots) more than the bots' own work, and slow down what is measured.
 */
async function answered(
  fake: FakeSlack,
  channels: string[],
  count: number,
  timeoutMs: number,
): Promise<boolean> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    let done = 0;
    for (const channel of channels) {
      for (const message of fake.messages(channel)) if (message.edits.length > 0) done += 1;
    }
    if (done >= count) return true;
    if (performance.now() > until) return false;
    await sleep(250);
  }
}

function statusRequest(fake: FakeSlack, url: URL, user: number, channel: string): Buffer {
  return buildSlashRequest(fake, url, { text: 'status', userId: `U${1000 + user}`, channelId: channel });
}

interface CpuFigures {
  netMs: number;
  grossMs: number;
  idleMsPerS: number;
  answered: boolean;
}

async function botCpu(runtime: Runtime, sim: SimProcess, fake: FakeSlack): Promise<CpuFigures> {
  const deployment = await deploy(runtime, sim, fake, 1);
  try {
    const bot = deployment.bots[0]!;
    const url = deployment.urls[0]!;
    const channel = 'C0CPU';
    for (let i = 0; i < WARMUP; i += 1) await sendRaw(url, statusRequest(fake, url, i, channel));
    if (!(await answered(fake, [channel], WARMUP, 60_000))) throw new Error('warm-up results missing');
    const idleFrom = bot.cpuMs();
    const idleAt = performance.now();
    await sleep(IDLE_WINDOW_MS);
    const idleMsPerS = ((bot.cpuMs() - idleFrom) / (performance.now() - idleAt)) * 1000;
    const from = bot.cpuMs();
    const at = performance.now();
    let next = 0;
    const lane = async () => {
      while (next < CPU_COMMANDS) {
        const i = next++;
        await sendRaw(url, statusRequest(fake, url, i % 50, channel), ACK_WAIT_MS);
      }
    };
    await Promise.all(Array.from({ length: CPU_IN_FLIGHT }, lane));
    const ok = await answered(fake, [channel], WARMUP + CPU_COMMANDS, RESULTS_WAIT_MS);
    const used = bot.cpuMs() - from;
    const seconds = (performance.now() - at) / 1000;
    return {
      grossMs: used / CPU_COMMANDS,
      netMs: (used - idleMsPerS * seconds) / CPU_COMMANDS,
      idleMsPerS,
      answered: ok,
    };
  } finally {
    await deployment.stop();
  }
}

interface BurstFigures {
  p50: number;
  p99: number;
  max: number;
  late: number;
  /** Not answered 200 within ACK_WAIT_MS. */
  failed: number;
  /** From the last ack to every result in chat; NaN if not within RESULTS_WAIT_MS. */
  resultsMs: number;
  /** Acks per replica, as the requests were spread. */
  perReplica: number[];
}

async function replicaBurst(runtime: Runtime, sim: SimProcess, fake: FakeSlack): Promise<BurstFigures> {
  const deployment = await deploy(runtime, sim, fake, REPLICAS);
  try {
    const { urls } = deployment;
    const channels = Array.from({ length: CHANNELS }, (_, i) => `C0REPLICA${String(i).padStart(2, '0')}`);
    // Warm-up: each replica serves a few commands one by one.
    for (let i = 0; i < WARMUP; i += 1) {
      const url = urls[i % REPLICAS]!;
      await sendRaw(url, statusRequest(fake, url, i, channels[0]!));
    }
    if (!(await answered(fake, channels, WARMUP, 60_000))) throw new Error('warm-up results missing');
    // Built and signed before the clock starts, as Slack's would be.
    const requests = Array.from({ length: BURST }, (_, i) => {
      const url = urls[i % REPLICAS]!;
      return { url, bytes: statusRequest(fake, url, i % 50, channels[i % CHANNELS]!) };
    });
    const acks: RawAck[] = await Promise.all(requests.map((r) => sendRaw(r.url, r.bytes, ACK_WAIT_MS)));
    const lastAck = performance.now();
    const ok = await answered(fake, channels, WARMUP + BURST, RESULTS_WAIT_MS);
    const times = acks.map((a) => a.ackMs).sort((a, b) => a - b);
    return {
      p50: percentile(times, 50),
      p99: percentile(times, 99),
      max: times.at(-1) ?? Number.NaN,
      late: acks.filter((a) => a.status !== 200 || a.ackMs > SLACK_ACK_MS).length,
      failed: acks.filter((a) => a.status !== 200).length,
      resultsMs: ok ? performance.now() - lastAck : Number.NaN,
      perReplica: urls.map((_, r) => acks.filter((a, i) => i % REPLICAS === r && a.status === 200).length),
    };
  } finally {
    await deployment.stop();
  }
}

export async function benchBotReplicas(): Promise<BenchRow[]> {
  const build = await compiledBuild();
  const runtime: Runtime = build.ok ? 'build' : 'tsx';
  const how = build.ok ? 'compiled build' : 'through tsx: the build failed';
  const fake = await FakeSlack.start();
  const sim = await startSimProcess();
  try {
    const cpu = await botCpu(runtime, sim, fake);
    const burst = await replicaBurst(runtime, sim, fake);
    const results = Number.isNaN(burst.resultsMs)
      ? `NOT all results within ${RESULTS_WAIT_MS / 1000} s`
      : `all ${BURST} results in chat ${(burst.resultsMs / 1000).toFixed(1)} s after the last ack`;
    const failed = burst.failed > 0 ? ` (${burst.failed} not answered 200)` : '';
    const burstMeasured = `${burst.late} of ${BURST} past 3 s${failed}; p50 ${burst.p50.toFixed(0)} ms, p99 ${burst.p99.toFixed(0)} ms, max ${burst.max.toFixed(0)} ms; ${results}`;
    return [
      {
        what: `CPU ms per command, \`pve-chatops bot\` in its own process (${how}; ${CPU_COMMANDS} /pve status, ${CPU_IN_FLIGHT} in flight, results included; /proc/<pid>/stat)`,
        measured: `${cpu.netMs.toFixed(1)} ms per command (${cpu.grossMs.toFixed(1)} ms gross, less ${cpu.idleMsPerS.toFixed(1)} ms/s idle)${cpu.answered ? '' : '; NOT all results arrived'}`,
        target: '—',
        values: { netMs: cpu.netMs, grossMs: cpu.grossMs, idleMsPerS: cpu.idleMsPerS },
      },
      {
        what: `${BURST} /pve status at once over ${REPLICAS} \`pve-chatops bot\` replicas and a worker (${how}; Slack HTTP, alternating ports)`,
        measured: burstMeasured,
        target: 'none acknowledged past Slack’s 3 s; every result arrives',
        ok: burst.late === 0 && !Number.isNaN(burst.resultsMs),
        design: 'replica-burst',
        summary: `${burstMeasured} (connect → first byte, requests alternating between the replicas' ports)`,
        values: {
          late: burst.late,
          failed: burst.failed,
          p50Ms: burst.p50,
          p99Ms: burst.p99,
          maxMs: burst.max,
          resultsMs: burst.resultsMs,
          ...Object.fromEntries(burst.perReplica.map((n, i) => [`acksReplica${i + 1}`, n])),
        },
      },
    ];
  } finally {
    await sim.stop();
    await fake.stop();
  }
}
