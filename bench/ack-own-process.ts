// Target (docs/architecture.md): "slash-command acknowledgement, 200 concurrent commands, p99
// ≤ 50 ms". The product in processes of its own, as deployed, from the compiled build:
//   - `pve-chatops all`: the bot and the worker in one process (the default; the target's row);
//   - `pve-chatops bot` and `pve-chatops worker` in two processes;
// against `pve-chatops sim` (another process), the real Redis, and FakeSlack in this process for
// the Web API the bot calls after each ack. Ten commands one by one to warm up, then 200 signed
// `/pve status` at once, timed as Slack sees them: from connecting to the bot to the first byte of
// its answer. They go out over plain sockets, built and signed beforehand (raw-slash-commands.ts),
// because FakeSlack's fetch-based sender spends enough of these two cores on 200 requests at once
// to show up in every ack; that sender's figure is shown too. The request messages, jobs and
// results follow after the acks, and are waited for before the processes stop. A Bolt app that
// only acks, in its own process, is the floor. An unanswered ack counts as 3 s and as not 200.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createRedis } from '../src/jobs/redis-connection.js';
import { silentLogger } from '../src/logger.js';
import { FakeSlack } from '../test/fakes/slack/fake-slack.js';
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
import { type BenchRow, percentile } from './report.js';

const COMMANDS = 200;
const WARMUP = 10;
const TARGET_MS = 50;

interface Figures {
  p50: number;
  p99: number;
  max: number;
  failed: number;
  /** From the last ack to every request message carrying its result mark; NaN if not within 90 s. */
  resultsMs: number;
}

type Sender = 'raw' | 'fetch';

/** Ten commands one by one, then 200 at once; resolves once their results are in chat (if `results`). */
async function burst(
  fake: FakeSlack,
  url: URL,
  channel: string,
  sender: Sender,
  results = true,
): Promise<Figures> {
  const before = fake.messages(channel).length;
  const send = (requests: Array<{ text: string; user: number }>): Promise<RawAck[]> => {
    if (sender === 'fetch') {
      return Promise.all(requests.map((r) => slashCommand(fake, url.href, r.text, r.user, channel)));
    }
    // Built and signed before the clock starts, as Slack's would be.
    const raw = requests.map((r) =>
      buildSlashRequest(fake, url, { text: r.text, userId: `U${1000 + r.user}`, channelId: channel }),
    );
    return Promise.all(raw.map((request) => sendRaw(url, request)));
  };
  for (let i = 0; i < WARMUP; i += 1) await send([{ text: 'status', user: i }]);
  const answers = await send(Array.from({ length: COMMANDS }, (_, i) => ({ text: 'status', user: i % 50 })));
  const lastAck = performance.now();
  const acks = answers.map((r) => r.ackMs).sort((a, b) => a - b);
  const done =
    results &&
    (await fake
      .waitFor(() => {
        const requests = fake.messages(channel).slice(before);
        return requests.length === WARMUP + COMMANDS && requests.every((m) => m.edits.length > 0);
      }, 90_000)
      .then(
        () => true,
        () => false,
      ));
  return {
    p50: percentile(acks, 50),
    p99: percentile(acks, 99),
    max: acks.at(-1) ?? Number.NaN,
    failed: answers.filter((r) => r.status !== 200).length,
    resultsMs: done ? performance.now() - lastAck : Number.NaN,
  };
}

/** Starts the processes, runs one burst per sender, stops them and removes their Redis keys. */
async function deployment(
  runtime: Runtime,
  commands: Array<'all' | 'bot' | 'worker'>,
  sim: SimProcess,
  fake: FakeSlack,
  channel: string,
  senders: Sender[],
): Promise<Figures[]> {
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
    const url = new URL(`http://127.0.0.1:${port}/slack/events`);
    const figures: Figures[] = [];
    for (const sender of senders) figures.push(await burst(fake, url, channel, sender));
    return figures;
  } finally {
    for (const child of processes.reverse()) await child.stop();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.unlink(...keys);
    redis.disconnect();
  }
}

/** The floor: a Bolt app that only acks, in its own process (bare-bolt-app.ts). */
async function bareBolt(fake: FakeSlack): Promise<Figures> {
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
  try {
    await app.waitForLine(/bare bolt app ready/, 60_000);
    return await burst(fake, new URL(`http://127.0.0.1:${port}/slack/events`), 'C0ACKBARE', 'raw', false);
  } finally {
    await app.stop();
  }
}

function measured(f: Figures): string {
  const failed = f.failed > 0 ? `, ${f.failed} not 200` : '';
  return `p99 ${f.p99.toFixed(1)} ms, p50 ${f.p50.toFixed(1)} ms${failed}`;
}

function values(f: Figures): Record<string, number> {
  return { p50Ms: f.p50, p99Ms: f.p99, maxMs: f.max, failed: f.failed, resultsMs: f.resultsMs };
}

export async function benchAckOwnProcess(): Promise<BenchRow[]> {
  const build = await compiledBuild();
  const runtime: Runtime = build.ok ? 'build' : 'tsx';
  const how = build.ok ? 'compiled build' : 'through tsx: the build failed';
  const fake = await FakeSlack.start();
  const sim = await startSimProcess();
  try {
    const [all, allFetch] = (await deployment(runtime, ['all'], sim, fake, 'C0ACKALL', ['raw', 'fetch'])) as [
      Figures,
      Figures,
    ];
    const [split] = (await deployment(runtime, ['worker', 'bot'], sim, fake, 'C0ACKBOT', ['raw'])) as [
      Figures,
    ];
    const floor = await bareBolt(fake);
    const results = (f: Figures) =>
      Number.isNaN(f.resultsMs) ? 'not all within 90 s' : `${(f.resultsMs / 1000).toFixed(1)} s`;
    return [
      {
        what: `/pve status ack, \`pve-chatops all\` in its own process (${how}; ${COMMANDS} at once, Slack HTTP)`,
        measured: measured(all),
        target: `p99 ≤ ${TARGET_MS} ms`,
        ok: all.p99 <= TARGET_MS && all.failed === 0,
        design: 'ack',
        summary: `${measured(all)} (${COMMANDS} at once over Slack HTTP to \`pve-chatops all\` in its own process; connect → first byte)`,
        values: values(all),
      },
      {
        what: `/pve status ack, \`pve-chatops bot\` in its own process, \`worker\` in another (${COMMANDS} at once)`,
        measured: measured(split),
        target: `p99 ≤ ${TARGET_MS} ms`,
        ok: split.p99 <= TARGET_MS && split.failed === 0,
        values: values(split),
      },
      {
        what: `/pve ack, a bare Bolt app that only acks, in its own process (${COMMANDS} at once)`,
        measured: measured(floor),
        target: '— (the floor Bolt sets for the rows above)',
        values: values(floor),
      },
      {
        what: `/pve status ack, \`pve-chatops all\` in its own process, sent through FakeSlack.slashCommand (fetch)`,
        measured: measured(allFetch),
        target: '— (the sender’s own fetch work on these 2 cores counts here)',
        values: values(allFetch),
      },
      {
        what: `… then all ${WARMUP + COMMANDS} results in chat, after the last ack: all / bot + worker`,
        measured: `${results(all)} / ${results(split)}`,
        target: '—',
        values: { allMs: all.resultsMs, splitMs: split.resultsMs },
      },
    ];
  } finally {
    await sim.stop();
    await fake.stop();
  }
}
