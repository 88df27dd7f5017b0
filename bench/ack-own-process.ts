// Target (docs/architecture.md): "slash-command acknowledgement, 200 concurrent commands, p99
// ≤ 50 ms", and within 1.5× of what Bolt itself manages on this machine. The product in
// processes of its own, as deployed, from the compiled build:
//   - `pve-chatops all`: the bot and the worker in one process (the default; the target's row);
//   - `pve-chatops bot` and `pve-chatops worker` in two processes;
// against `pve-chatops sim` (another process), the real Redis, and FakeSlack in this process for
// the Web API the bot calls after each ack. The floor is a Bolt app that only acks, in its own
// process. Each gets ten commands one by one to warm up (and their results awaited), then bursts
// of 200 signed `/pve status` at once, timed as Slack sees them: from connecting to the bot to
// the first byte of its answer. They go out over plain sockets, built and signed beforehand
// (raw-slash-commands.ts), because FakeSlack's fetch-based sender spends enough of these two
// cores on 200 requests at once to show up in every ack; that sender's figure is shown too. The
// product's and the floor's bursts alternate, round after round (ack-rounds.ts), and after each
// of the product's the request messages, jobs and results are waited for, so every burst starts
// on an idle product. An unanswered ack counts as 3 s and as not 200.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createRedis } from '../src/jobs/redis-connection.js';
import { silentLogger } from '../src/logger.js';
import { FakeSlack } from '../test/fakes/slack/fake-slack.js';
import {
  type AckFigures,
  ackFigures,
  ackText,
  ackValues,
  alternateRounds,
  medianFigures,
} from './ack-rounds.js';
import { slashCommand } from './chatops-rig.js';
import {
  type CliProcess,
  compiledBuild,
  freePort,
  ROOT,
  type Runtime,
  type SimProcess,
  spawnScript,
  startProductProcess,
  startSimProcess,
} from './cli-process.js';
import { buildSlashRequest, type RawAck, sendRaw } from './raw-slash-commands.js';
import type { BenchRow } from './report.js';

const COMMANDS = 200;
const WARMUP = 10;
const ROUNDS = 5;
const SPLIT_ROUNDS = 3;
const TARGET_MS = 50;
const TARGET_RATIO = 1.5;
const RESULTS_WITHIN_MS = 90_000;

type Sender = 'raw' | 'fetch';

/** Where commands go and how their results are recognised. */
interface Endpoint {
  url: URL;
  channel: string;
  /** Whether the request messages and their results are to be awaited (not for the floor). */
  results: boolean;
}

interface Burst extends AckFigures {
  /** From the last ack to every request message carrying its result; NaN if not within 90 s. */
  resultsMs: number;
}

function send(fake: FakeSlack, endpoint: Endpoint, count: number, sender: Sender): Promise<RawAck[]> {
  const requests = Array.from({ length: count }, (_, i) => ({ text: 'status', user: i % 50 }));
  if (sender === 'fetch') {
    return Promise.all(
      requests.map((r) => slashCommand(fake, endpoint.url.href, r.text, r.user, endpoint.channel)),
    );
  }
  // Built and signed before the clock starts, as Slack's would be.
  const raw = requests.map((r) =>
    buildSlashRequest(fake, endpoint.url, {
      text: r.text,
      userId: `U${1000 + r.user}`,
      channelId: endpoint.channel,
    }),
  );
  return Promise.all(raw.map((request) => sendRaw(endpoint.url, request)));
}

/** Resolves once every request message since `before` carries its result (false after 90 s). */
function resultsIn(fake: FakeSlack, endpoint: Endpoint, before: number, expected: number): Promise<boolean> {
  if (!endpoint.results) return Promise.resolve(true);
  return fake
    .waitFor(() => {
      const requests = fake.messages(endpoint.channel).slice(before);
      return requests.length === expected && requests.every((m) => m.edits.length > 0);
    }, RESULTS_WITHIN_MS)
    .then(
      () => true,
      () => false,
    );
}

/** Ten commands one by one, and their results. */
async function warmUp(fake: FakeSlack, endpoint: Endpoint): Promise<void> {
  const before = fake.messages(endpoint.channel).length;
  for (let i = 0; i < WARMUP; i += 1) await send(fake, endpoint, 1, 'raw');
  await resultsIn(fake, endpoint, before, WARMUP);
}

/** 200 at once; resolves once their results are in chat (when the endpoint has results). */
async function burst(fake: FakeSlack, endpoint: Endpoint, sender: Sender = 'raw'): Promise<Burst> {
  const before = fake.messages(endpoint.channel).length;
  const answers = await send(fake, endpoint, COMMANDS, sender);
  const lastAck = performance.now();
  const done = await resultsIn(fake, endpoint, before, COMMANDS);
  const figures = ackFigures(
    answers.map((a) => (a.status === 200 ? a.ackMs : 3_000)),
    answers.filter((a) => a.status !== 200).length,
  );
  return { ...figures, resultsMs: done && endpoint.results ? performance.now() - lastAck : Number.NaN };
}

/** The floor: a Bolt app that only acks, in its own process (bare-bolt-app.ts). */
async function startBareBolt(fake: FakeSlack): Promise<{ endpoint: Endpoint; app: CliProcess }> {
  const port = await freePort();
  const app = spawnScript(
    'tsx',
    join(ROOT, 'bench/bare-bolt-app.ts'),
    [],
    {
      BOLT_TOKEN: fake.botToken,
      BOLT_SIGNING_SECRET: fake.signingSecret,
      BOLT_API_URL: fake.apiUrl,
      BOLT_PORT: String(port),
    },
    'bare Bolt app',
  );
  await app.waitForLine(/bare bolt app ready/, 60_000);
  const endpoint = {
    url: new URL(`http://127.0.0.1:${port}/slack/events`),
    channel: 'C0ACKBARE',
    results: false,
  };
  return { endpoint, app };
}

/** Starts the product's processes, runs `measure` against them, stops them and removes their keys. */
async function withDeployment<T>(
  runtime: Runtime,
  commands: Array<'all' | 'bot' | 'worker'>,
  sim: SimProcess,
  fake: FakeSlack,
  channel: string,
  measure: (endpoint: Endpoint) => Promise<T>,
): Promise<T> {
  const prefix = `bench-ack-${randomUUID()}`;
  const port = await freePort();
  const processes: CliProcess[] = [];
  const redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', silentLogger, 'bench');
  try {
    for (const command of commands) {
      // A worker gets a port of its own, in case it serves anything (health, metrics).
      const own = command === 'worker' ? await freePort() : port;
      processes.push(await startProductProcess({ runtime, command, sim, slack: fake, prefix, port: own }));
    }
    const endpoint = { url: new URL(`http://127.0.0.1:${port}/slack/events`), channel, results: true };
    await warmUp(fake, endpoint);
    return await measure(endpoint);
  } finally {
    for (const child of processes.reverse()) await child.stop();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.unlink(...keys);
    redis.disconnect();
  }
}

function medianResultsMs(bursts: Burst[]): number {
  const all = bursts.map((b) => b.resultsMs);
  if (all.some(Number.isNaN)) return Number.NaN;
  return all.sort((a, b) => a - b)[Math.floor(all.length / 2)] ?? Number.NaN;
}

export async function benchAckOwnProcess(): Promise<BenchRow[]> {
  const build = await compiledBuild();
  const runtime: Runtime = build.ok ? 'build' : 'tsx';
  const how = build.ok ? 'compiled build' : 'through tsx: the build failed';
  const fake = await FakeSlack.start();
  const sim = await startSimProcess();
  const bare = await startBareBolt(fake);
  try {
    for (let i = 0; i < WARMUP; i += 1) await send(fake, bare.endpoint, 1, 'raw');
    const floorBurst = () => burst(fake, bare.endpoint);
    const all = await withDeployment(runtime, ['all'], sim, fake, 'C0ACKALL', async (endpoint) => ({
      ...(await alternateRounds(ROUNDS, floorBurst, () => burst(fake, endpoint))),
      fetch: await burst(fake, endpoint, 'fetch'),
    }));
    const split = await withDeployment(runtime, ['worker', 'bot'], sim, fake, 'C0ACKBOT', (endpoint) =>
      alternateRounds(SPLIT_ROUNDS, floorBurst, () => burst(fake, endpoint)),
    );
    const floorRounds = [...all.floor, ...split.floor];
    const floor = medianFigures(floorRounds);
    const allMedian = medianFigures(all.product);
    const splitMedian = medianFigures(split.product);
    const ratio = allMedian.p99 / medianFigures(all.floor).p99;
    const splitRatio = splitMedian.p99 / medianFigures(split.floor).p99;
    const results = (bursts: Burst[]) => {
      const ms = medianResultsMs(bursts);
      return Number.isNaN(ms) ? 'not all within 90 s' : `${(ms / 1000).toFixed(1)} s`;
    };
    const rounds = `median of ${ROUNDS} rounds, each beside a floor round`;
    return [
      {
        what: `/pve status ack, \`pve-chatops all\` in its own process (${how}; ${COMMANDS} at once, Slack HTTP; ${rounds})`,
        measured: ackText(allMedian),
        target: `p99 ≤ ${TARGET_MS} ms`,
        ok: allMedian.p99 <= TARGET_MS && allMedian.failed === 0,
        design: 'ack',
        summary: `${ackText(allMedian)} (${COMMANDS} at once over Slack HTTP to \`pve-chatops all\` in its own process; connect → first byte; ${rounds})`,
        values: ackValues(allMedian, all.product),
      },
      {
        what: `… \`pve-chatops all\` p99 against the bare Bolt app's, measured alternately`,
        measured: `${ratio.toFixed(2)}× (${allMedian.p99.toFixed(1)} / ${medianFigures(all.floor).p99.toFixed(1)} ms)`,
        target: `≤ ${TARGET_RATIO}×`,
        ok: ratio <= TARGET_RATIO && allMedian.failed === 0,
        values: { ratio },
      },
      {
        what: `/pve status ack, \`pve-chatops bot\` in its own process, \`worker\` in another (${COMMANDS} at once; median of ${SPLIT_ROUNDS} rounds)`,
        measured: `${ackText(splitMedian)}; ${splitRatio.toFixed(2)}× the floor`,
        target: `p99 ≤ ${TARGET_MS} ms`,
        ok: splitMedian.p99 <= TARGET_MS && splitMedian.failed === 0,
        values: { ...ackValues(splitMedian, split.product), ratio: splitRatio },
      },
      {
        what: `/pve ack, a bare Bolt app that only acks, in its own process (${COMMANDS} at once; median of ${floorRounds.length} rounds)`,
        measured: ackText(floor),
        target: '— (the floor Bolt sets for the rows above)',
        values: ackValues(floor, floorRounds),
      },
      {
        what: `/pve status ack, \`pve-chatops all\` in its own process, sent through FakeSlack.slashCommand (fetch; one burst)`,
        measured: ackText(all.fetch),
        target: '— (the sender’s own fetch work on these 2 cores counts here)',
        values: {
          p50Ms: all.fetch.p50,
          p99Ms: all.fetch.p99,
          maxMs: all.fetch.max,
          failed: all.fetch.failed,
        },
      },
      {
        what: `… then all ${COMMANDS} results in chat, after the last ack (median of the rounds): all / bot + worker`,
        measured: `${results(all.product)} / ${results(split.product)}`,
        target: '—',
        values: { allMs: medianResultsMs(all.product), splitMs: medianResultsMs(split.product) },
      },
    ];
  } finally {
    await bare.app.stop();
    await sim.stop();
    await fake.stop();
  }
}
