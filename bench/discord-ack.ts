// How fast a `/pve` slash command is acknowledged on Discord (3 s, or the person sees "The
// application did not respond"): bursts of 200 `/pve status` interactions dispatched at once over
// FakeDiscord's gateway to `pve-chatops all` in its own process (compiled build, against
// `pve-chatops sim` and the real Redis), timed by the fake from dispatch to the deferred reply
// (callback type 5). The floor is a bare discord.js client that only defers, in a process of its
// own against a second fake. Ten commands one by one and one unmeasured burst warm each up (the
// product's results awaited), then their bursts alternate round after round (ack-rounds.ts); after each of the
// product's, its request messages are waited for until every one carries its result, so every
// burst starts on an idle product. An interaction the fake gave up on (3 s) counts as 3 s.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createRedis } from '../src/jobs/redis-connection.js';
import { silentLogger } from '../src/logger.js';
import { FakeDiscord } from '../test/fakes/discord/fake-discord.js';
import {
  type AckFigures,
  ackFigures,
  ackText,
  ackValues,
  alternateRounds,
  medianFigures,
} from './ack-rounds.js';
import {
  type CliProcess,
  compiledBuild,
  ROOT,
  type Runtime,
  spawnCli,
  spawnScript,
  startSimProcess,
} from './cli-process.js';
import type { BenchRow } from './report.js';

const COMMANDS = 200;
const WARMUP = 10;
const ROUNDS = 5;
const TARGET_RATIO = 1.5;
const CHANNEL = '200000000000000001';
const RESULTS_WITHIN_MS = 90_000;

interface Burst extends AckFigures {
  /** From the last ack to every request message marked with its result; NaN if not within 90 s. */
  resultsMs: number;
}

async function ackMs(fake: FakeDiscord, i: number): Promise<number | undefined> {
  const started = performance.now();
  const interaction = fake.slashCommand({
    user: { id: String(400000000000000000n + BigInt(i % 50)), username: `user${i % 50}` },
    channelId: CHANNEL,
    subcommand: 'status',
  });
  try {
    await interaction.acknowledged;
  } catch {
    return undefined;
  }
  return performance.now() - started;
}

/** The public request messages ("<@user> ran `/pve status`"), in order. */
function requestMessages(fake: FakeDiscord) {
  return fake.messages(CHANNEL).filter((m) => m.content.includes(' ran `/pve'));
}

/** Resolves once the `expected` request messages since `before` all carry their result mark. */
function resultsIn(fake: FakeDiscord, before: number, expected: number): Promise<boolean> {
  return fake
    .waitFor(() => {
      const requests = requestMessages(fake).slice(before);
      return requests.length === expected && requests.every((m) => m.content.startsWith('✅'));
    }, RESULTS_WITHIN_MS)
    .then(
      () => true,
      () => false,
    );
}

/** `count` at once; with `results`, resolves once they are all in chat. */
async function burst(fake: FakeDiscord, count: number, results: boolean): Promise<Burst> {
  const before = requestMessages(fake).length;
  const acks = await Promise.all(Array.from({ length: count }, (_, i) => ackMs(fake, i)));
  const lastAck = performance.now();
  const done = results && (await resultsIn(fake, before, count));
  const answered = acks.filter((ms): ms is number => ms !== undefined);
  const figures = ackFigures(
    acks.map((ms) => ms ?? fake.ackTimeoutMs),
    acks.length - answered.length,
  );
  return { ...figures, resultsMs: done ? performance.now() - lastAck : Number.NaN };
}

/**
 * Ten commands one by one, then one unmeasured burst of the full size: V8 optimises the code a
 * burst runs, and grows the heap it needs, during the first bursts after start (one run's rounds
 * without it: 203, 203, 115, 100, 146 ms), which would measure start-up, not the ack path.
 * Both sides get the same.
 */
async function warmUp(fake: FakeDiscord, results: boolean): Promise<void> {
  for (let i = 0; i < WARMUP; i += 1) await burst(fake, 1, results);
  await burst(fake, COMMANDS, results);
}

/** The floor: a bare discord.js client in its own process (bare-discord-client.ts). */
async function startBareClient(): Promise<{ fake: FakeDiscord; client: CliProcess }> {
  const fake = await FakeDiscord.start();
  fake.addChannel(CHANNEL, 'bench');
  const client = spawnScript(
    'tsx',
    join(ROOT, 'bench/bare-discord-client.ts'),
    [],
    { DISCORD_TOKEN: fake.token, DISCORD_API_URL: fake.apiUrl },
    'bare discord.js client',
  );
  await client.waitForLine(/bare discord client ready/, 60_000);
  return { fake, client };
}

export async function benchDiscordAck(): Promise<BenchRow[]> {
  const build = await compiledBuild();
  const runtime: Runtime = build.ok ? 'build' : 'tsx';
  const how = build.ok ? 'compiled build' : 'through tsx: the build failed';
  const bare = await startBareClient();
  const fake = await FakeDiscord.start();
  fake.addChannel(CHANNEL, 'bench');
  const sim = await startSimProcess();
  const prefix = `bench-discord-${randomUUID()}`;
  const redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', silentLogger, 'bench');
  let product: CliProcess | undefined;
  try {
    product = spawnCli(runtime, ['all', '--env-file', sim.envFile], {
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      REDIS_PREFIX: prefix,
      PORT: '0',
      LOG_LEVEL: 'info',
      DIGEST_CRON: 'off',
      DISCORD_TOKEN: fake.token,
      DISCORD_APPLICATION_ID: fake.applicationId,
      DISCORD_GUILD_IDS: fake.guildId,
      DISCORD_API_URL: fake.apiUrl,
    });
    await product.waitForLine(/pve-chatops ready/, 60_000);
    await fake.ready();
    await warmUp(bare.fake, false);
    await warmUp(fake, true);
    const measured = await alternateRounds(
      ROUNDS,
      () => burst(bare.fake, COMMANDS, false),
      () => burst(fake, COMMANDS, true),
    );
    const productMedian = medianFigures(measured.product);
    const floorMedian = medianFigures(measured.floor);
    const ratio = productMedian.p99 / floorMedian.p99;
    const results = measured.product.map((b) => b.resultsMs).sort((a, b) => a - b);
    const resultsMs = results.some(Number.isNaN)
      ? Number.NaN
      : (results[Math.floor(results.length / 2)] ?? Number.NaN);
    const rounds = `median of ${ROUNDS} rounds, each beside a floor round`;
    return [
      {
        what: `/pve status ack on Discord, \`pve-chatops all\` in its own process (${how}; ${COMMANDS} at once over the gateway; ${rounds})`,
        measured: ackText(productMedian),
        target: 'p99 ≤ 50 ms',
        ok: productMedian.p99 <= 50 && productMedian.failed === 0,
        values: ackValues(productMedian, measured.product),
      },
      {
        what: `… against a bare discord.js client that only defers, in its own process (${COMMANDS} at once; ${rounds})`,
        measured: `${ratio.toFixed(2)}×: floor ${ackText(floorMedian)}`,
        target: `≤ ${TARGET_RATIO}×`,
        ok: ratio <= TARGET_RATIO && productMedian.failed === 0,
        values: { ...ackValues(floorMedian, measured.floor), ratio },
      },
      {
        what: `… then all ${COMMANDS} results posted in their threads (median of the rounds)`,
        measured: Number.isNaN(resultsMs)
          ? 'not all within 90 s of the last ack'
          : `${(resultsMs / 1000).toFixed(1)} s after the last ack`,
        target: '—',
        values: { ms: resultsMs },
      },
    ];
  } finally {
    await product?.stop();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.unlink(...keys);
    redis.disconnect();
    await bare.client.stop();
    await bare.fake.stop();
    await sim.stop();
    await fake.stop();
  }
}
