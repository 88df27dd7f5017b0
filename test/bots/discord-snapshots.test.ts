// Snapshots through Discord, as people click them: the real DiscordAdapter (discord.js on the
// gateway and REST) against FakeDiscord, the real core, policy, approvals and audit on Redis, the
// real worker and outbox, real HTTPS to the simulator. The snapshot's result carries a Roll back
// button; pressing it opens the approval a typed rollback opens, which on-call must approve.
// (The rig is discord-e2e.test.ts's.)
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningChatOps, startChatOps } from '../../src/app/start-chatops.js';
import { DiscordAdapter } from '../../src/bots/discord/discord-adapter.js';
import { RedisInteractionRegistry } from '../../src/bots/discord/interaction-registry.js';
import { registerCommands } from '../../src/bots/discord/register-commands.js';
import { RedisMessageRefs } from '../../src/bots/message-refs.js';
import { parsePolicy } from '../../src/core/policy/index.js';
import { JobWorker } from '../../src/jobs/job-worker.js';
import { OutboxWriter } from '../../src/jobs/outbox/outbox-writer.js';
import { createRedis } from '../../src/jobs/redis-connection.js';
import { type Logger, silentLogger } from '../../src/logger.js';
import { ProxmoxClient } from '../../src/proxmox/proxmox-client.js';
import { type RunningSimulator, type SimCluster, startSimulator } from '../../src/sim/simulator.js';
import { FakeDiscord, type FakeDiscordUser, type FakeMessage } from '../fakes/discord/fake-discord.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const CHANNEL = '200000000000000001';
const ONCALL_ROLE = '300000000000000001';
const ALICE: FakeDiscordUser = { id: '400000000000000001', username: 'alice' };
const DAVE: FakeDiscordUser = { id: '400000000000000002', username: 'dave', roles: [ONCALL_ROLE] };

const POLICY = `
roles:
  oncall:
    members: ['discord-role:${ONCALL_ROLE}']
  everyone:
    members: ['*']
snapshots:
  keep: 3
commands:
  '*':
    allow: [everyone]
    approval:
      approvers: [oncall]
      count: 1
      ttl: 30m
  snapshot:
    allow: [everyone]
    approval: none
`;

interface DiscordChat {
  fake: FakeDiscord;
  /** The bot's warnings, as logged. */
  warnings: string[];
  sim: RunningSimulator<SimCluster>;
  redis: Redis;
  prefix: string;
  pve: ProxmoxClient;
  app: RunningChatOps;
  adapter: DiscordAdapter;
  /** Stops the bot (adapter, core, outbox reader) and starts a new one on the same Redis and fake. */
  restartBot(): Promise<void>;
  stop(): Promise<void>;
}

async function startBot(
  fake: FakeDiscord,
  redis: Redis,
  prefix: string,
  pve: ProxmoxClient,
  pveUser: string,
  logger: Logger,
): Promise<{ app: RunningChatOps; adapter: DiscordAdapter }> {
  const adapter = new DiscordAdapter({
    token: fake.token,
    guildIds: [fake.guildId],
    apiUrl: fake.apiUrl,
    logger,
    // Short enough that a fast simulated migration still shows its progress as several edits.
    editIntervalMs: 50,
    messageRefs: new RedisMessageRefs(redis, { prefix, platform: 'discord' }),
    interactions: new RedisInteractionRegistry(redis, { prefix }),
  });
  const app = await startChatOps({
    redis,
    prefix,
    pve,
    pveUser,
    policy: parsePolicy(POLICY, 'discord e2e policy'),
    adapters: [adapter],
    logger,
    // The worker runs on its own (as `pve-chatops worker` would), so a bot restart leaves jobs running.
    consumer: 'test',
  });
  return { app, adapter };
}

async function startDiscordChat(speed = 50): Promise<DiscordChat> {
  const fake = await FakeDiscord.start();
  fake.addChannel(CHANNEL, 'ops');
  // Registered as `discord:register` would: the fake then refuses a subcommand or option the bot never declared.
  await registerCommands({
    token: fake.token,
    applicationId: fake.applicationId,
    guildIds: [fake.guildId],
    apiUrl: fake.apiUrl,
  });
  fake.addRole(ONCALL_ROLE, 'on-call');
  const sim = await startSimulator({ port: 0, speed, authFailureDelayMs: 0 });
  const redis = createRedis(REDIS_URL, silentLogger, 'test');
  const prefix = `test-discord-${randomUUID()}`;
  const pve = new ProxmoxClient({
    hosts: sim.hosts,
    tokenId: sim.tokenId,
    tokenSecret: sim.tokenSecret,
    fingerprints: sim.fingerprints,
  });
  const worker = new JobWorker({
    redis,
    prefix,
    pve,
    pveUser: sim.tokenId,
    outbox: new OutboxWriter(redis, { prefix }),
    concurrency: 4,
    lockMs: 30_000,
    logger: silentLogger,
  });
  await worker.start();
  const warnings: string[] = [];
  const logger: Logger = { ...silentLogger, warn: (_fields, message) => warnings.push(message) };
  let bot = await startBot(fake, redis, prefix, pve, sim.tokenId, logger);
  const chat: DiscordChat = {
    fake,
    warnings,
    sim,
    redis,
    prefix,
    pve,
    app: bot.app,
    adapter: bot.adapter,
    async restartBot() {
      await bot.app.stop();
      bot = await startBot(fake, redis, prefix, pve, sim.tokenId, logger);
      chat.app = bot.app;
      chat.adapter = bot.adapter;
    },
    async stop() {
      await bot.app.stop();
      await worker.close();
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.unlink(...keys);
      redis.disconnect();
      await pve.close();
      await sim.stop();
      await fake.stop();
    },
  };
  return chat;
}

let chat: DiscordChat | undefined;
afterEach(async () => {
  await chat?.stop();
  chat = undefined;
});

function buttonIds(message: FakeMessage | undefined): string[] {
  const rows = (message?.components ?? []) as Array<{ components?: Array<{ custom_id?: string }> }>;
  return rows.flatMap((row) => row.components ?? []).flatMap((b) => (b.custom_id ? [b.custom_id] : []));
}

function embedText(message: FakeMessage | undefined): string {
  return JSON.stringify(message?.embeds ?? []);
}

/** The public request message the bot posted once the core accepted a command, by its text. */
function requestMessage(fake: FakeDiscord, pattern: RegExp): Promise<FakeMessage> {
  return fake.waitFor(() =>
    fake.messages(CHANNEL).find((m) => m.authorId === fake.botUserId && pattern.test(m.content)),
  );
}

describe('snapshots through Discord', () => {
  it('takes a snapshot and rolls back from its button once a holder of the on-call role approves', async () => {
    const c = await startDiscordChat();
    chat = c;
    const { fake } = c;
    const interaction = fake.slashCommand({
      user: ALICE,
      channelId: CHANNEL,
      subcommand: 'snapshot take',
      options: { vm: 'TestVM', description: 'before the change' },
    });
    await interaction.acknowledged;
    const request = await requestMessage(
      fake,
      /ran `\/pve snapshot TestVM --description "before the change"`/,
    );
    const result = await fake.waitFor(
      () =>
        fake
          .messages(request.id)
          .find((m) => /Snapshot `chatops-\d{8}-\d{6}` of TestVM/.test(embedText(m)) && m.content !== ''),
      20_000,
    );
    const name = /`(chatops-[\d-]+)`/.exec(embedText(result))![1]!;
    expect(buttonIds(result)).toEqual([`pve:run-command:rollback 100 ${name}`]);
    const cores = c.sim.cluster.guest(100)!.cores;
    c.sim.cluster.guest(100)!.cores = cores + 2;

    const resultBefore = structuredClone(fake.messages(request.id).find((m) => m.id === result.id)!);
    await fake.clickButton({ user: ALICE, message: result, customId: buttonIds(result)[0]! }).acknowledged;
    const card = await fake.waitFor(() =>
      fake.messages().find((m) => buttonIds(m).some((id) => id.startsWith('pve:approve:'))),
    );
    // A request of its own, in the snapshot's thread, as if Alice had typed it there; the
    // snapshot's result keeps its card and its Roll back button.
    expect(card.id).not.toBe(result.id);
    expect(card.channelId).toBe(request.id);
    expect(card.content).toBe(`<@${ALICE.id}> ran \`/pve rollback 100 ${name}\``);
    expect(fake.messages(request.id).find((m) => m.id === result.id)).toEqual(resultBefore);
    expect(embedText(card)).toContain(`rollback TestVM (qemu/100) on node01 to \`${name}\``);
    expect(embedText(card)).toMatch(/of changes since .* will be lost/);
    const approve = buttonIds(card).find((id) => id.startsWith('pve:approve:'))!;
    await fake.clickButton({ user: ALICE, message: card, customId: approve }).acknowledged;
    await fake.waitFor(() => fake.ephemerals(ALICE.id).find((m) => /own request/i.test(embedText(m))));
    expect(c.sim.cluster.guest(100)!.cores).toBe(cores + 2);

    await fake.clickButton({ user: DAVE, message: card, customId: approve }).acknowledged;
    await fake.waitFor(
      () => fake.messages().find((m) => new RegExp(`rolled back to \`${name}\``).test(embedText(m))),
      20_000,
    );
    expect(c.sim.cluster.guest(100)!.cores).toBe(cores);
    expect(fake.messages(request.id).find((m) => m.id === result.id)).toEqual(resultBefore);
  });

  it('deletes a snapshot with /pve snapshot delete, its guest completed inside the group', async () => {
    const c = await startDiscordChat();
    chat = c;
    const { fake } = c;
    const choices = await fake.autocomplete({
      user: ALICE,
      channelId: CHANNEL,
      subcommand: 'snapshot delete',
      options: { vm: 'Tes' },
      focused: 'vm',
    });
    expect(choices[0]).toMatchObject({ value: 'TestVM' });
    const interaction = fake.slashCommand({
      user: DAVE,
      channelId: CHANNEL,
      subcommand: 'snapshot delete',
      options: { vm: 'TestVM', snapshot: 'nonesuch' },
    });
    await interaction.acknowledged;
    // Typed as in Slack, so the grammar and the plan answer: no such snapshot, told privately.
    const answer = await fake.waitFor(() =>
      fake.ephemerals(DAVE.id).find((m) => /no snapshot named `nonesuch`/.test(embedText(m))),
    );
    expect(embedText(answer)).toContain('TestVM (qemu/100)');
    expect(fake.messages(CHANNEL)).toEqual([]);
  });
});
