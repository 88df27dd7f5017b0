// How fast a `/pve` slash command is acknowledged on Discord (3 s, or the person sees "The
// application did not respond"): 200 `/pve status` interactions dispatched at once over
// FakeDiscord's gateway to the DiscordAdapter wired through startChatOps with the worker, Redis
// and the simulator. The ack is the deferred reply (callback type 5), timed by the fake from
// dispatch to callback; the rest (request message, thread, job, result) happens after it. A bare
// discord.js client that only defers, against the same fake in the same process, is the floor.
// Everything shares ONE process and event loop (the fake, the simulator, the bot and the worker).
// An interaction the fake gave up on (3 s, "The application did not respond") counts as 3 s.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Client, Events, GatewayIntentBits } from 'discord.js';
import { startChatOps } from '../src/app/start-chatops.js';
import { DiscordAdapter } from '../src/bots/discord/discord-adapter.js';
import { parsePolicy } from '../src/core/policy/index.js';
import { createRedis } from '../src/jobs/redis-connection.js';
import { silentLogger } from '../src/logger.js';
import { ProxmoxClient } from '../src/proxmox/proxmox-client.js';
import { startSimulator } from '../src/sim/simulator.js';
import { FakeDiscord } from '../test/fakes/discord/fake-discord.js';
import { type BenchRow, percentile } from './report.js';

const COMMANDS = 200;
const WARMUP = 10;
const CHANNEL = '200000000000000001';

const POLICY = `
roles:
  everyone:
    members: ['*']
commands:
  '*':
    allow: [everyone]
`;

async function ackMs(fake: FakeDiscord, i: number): Promise<number> {
  const started = performance.now();
  const interaction = fake.slashCommand({
    user: { id: String(400000000000000000n + BigInt(i % 50)), username: `user${i % 50}` },
    channelId: CHANNEL,
    subcommand: 'status',
  });
  try {
    await interaction.acknowledged;
  } catch {
    return fake.ackTimeoutMs;
  }
  return performance.now() - started;
}

async function burst(fake: FakeDiscord): Promise<number[]> {
  for (let i = 0; i < WARMUP; i += 1) await ackMs(fake, i);
  const acks = await Promise.all(Array.from({ length: COMMANDS }, (_, i) => ackMs(fake, i)));
  return acks.sort((a, b) => a - b);
}

function ackRow(what: string, acks: number[], target: string, withTarget: boolean): BenchRow {
  const p50 = percentile(acks, 50);
  const p99 = percentile(acks, 99);
  return {
    what,
    measured: `p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms`,
    target,
    ...(withTarget ? { ok: p99 <= 50 } : {}),
    values: { p50Ms: p50, p99Ms: p99, maxMs: acks.at(-1) ?? Number.NaN },
  };
}

/** The floor: a bare discord.js client whose handler only defers, against the same fake. */
async function benchBareClient(): Promise<number[]> {
  const fake = await FakeDiscord.start();
  fake.addChannel(CHANNEL, 'bench');
  const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: fake.apiUrl } });
  client.on(Events.InteractionCreate, (interaction) => {
    if (interaction.isChatInputCommand()) interaction.deferReply().catch(() => undefined);
  });
  try {
    const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
    await client.login(fake.token);
    await ready;
    return await burst(fake);
  } finally {
    await client.destroy();
    await fake.stop();
  }
}

export async function benchDiscordAck(): Promise<BenchRow[]> {
  const bare = await benchBareClient();
  const fake = await FakeDiscord.start();
  fake.addChannel(CHANNEL, 'bench');
  const sim = await startSimulator({ port: 0, authFailureDelayMs: 0, logger: silentLogger });
  const prefix = `bench-discord-${randomUUID()}`;
  const redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', silentLogger, 'bench');
  const pve = new ProxmoxClient({
    hosts: sim.hosts,
    tokenId: sim.tokenId,
    tokenSecret: sim.tokenSecret,
    fingerprints: sim.fingerprints,
    connectionsPerHost: 32,
    logger: silentLogger,
  });
  const adapter = new DiscordAdapter({
    token: fake.token,
    apiUrl: fake.apiUrl,
    guildIds: [fake.guildId],
    logger: silentLogger,
  });
  const chatops = await startChatOps({
    redis,
    prefix,
    pve,
    pveUser: sim.tokenId,
    policy: parsePolicy(POLICY, 'bench policy'),
    adapters: [adapter],
    logger: silentLogger,
    worker: { concurrency: 32, lockMs: 30_000 },
    consumer: 'bench',
  });
  try {
    const acks = await burst(fake);
    // The work after the ack: every request message is marked with its job's result.
    const done = performance.now();
    // An interaction the fake gave up on gets no request message: do not wait for it forever.
    const finished = await fake
      .waitFor(() => {
        // The public request messages ("<@user> ran `/pve status`"), posted once each command is accepted.
        const requests = fake.messages(CHANNEL).filter((m) => m.content.includes(' ran `/pve'));
        return requests.length === WARMUP + COMMANDS && requests.every((m) => m.content.startsWith('✅'));
      }, 90_000)
      .then(
        () => true,
        () => false,
      );
    const finishedMs = finished ? performance.now() - done : Number.NaN;
    return [
      ackRow(
        `/pve status ack, single process: DiscordAdapter via startChatOps + worker + FakeDiscord + simulator (${COMMANDS} at once, gateway)`,
        acks,
        'p99 ≤ 50 ms',
        true,
      ),
      ackRow(
        `/pve ack, bare discord.js client that only defers (${COMMANDS} at once)`,
        bare,
        '— (the floor for the row above)',
        false,
      ),
      {
        what: `… then all ${COMMANDS} results posted in their threads`,
        measured: finished
          ? `${(finishedMs / 1000).toFixed(1)} s after the last ack`
          : 'not all within 90 s of the last ack',
        target: '—',
        values: { ms: finishedMs },
      },
    ];
  } finally {
    await chatops.stop();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.unlink(...keys);
    redis.disconnect();
    await pve.close();
    await sim.stop();
    await fake.stop();
  }
}
