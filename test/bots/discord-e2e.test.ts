// End to end through Discord, as people click it: the real DiscordAdapter (discord.js on the
// gateway and REST) against FakeDiscord, the real core, policy, approvals and audit on Redis, the
// real worker and outbox, real HTTPS to the simulator.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Redis } from 'ioredis';
import { PNG } from 'pngjs';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningChatOps, startChatOps } from '../../src/app/start-chatops.js';
import { DiscordAdapter } from '../../src/bots/discord/discord-adapter.js';
import { RedisInteractionRegistry } from '../../src/bots/discord/interaction-registry.js';
import { slashCommandDefinitions } from '../../src/bots/discord/slash-command-definitions.js';
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
const BOB: FakeDiscordUser = { id: '400000000000000003', username: 'bob' };

const POLICY = `
roles:
  oncall:
    members: ['discord-role:${ONCALL_ROLE}']
  everyone:
    members: ['*']
commands:
  '*':
    allow: [everyone]
    approval:
      approvers: [oncall]
      count: 1
      ttl: 30m
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

function message(fake: FakeDiscord, id: string): FakeMessage | undefined {
  return fake.messages().find((m) => m.id === id);
}

/** The public request message the bot posted once the core accepted a command, by its text. */
function requestMessage(fake: FakeDiscord, pattern: RegExp): Promise<FakeMessage> {
  return fake.waitFor(() =>
    fake.messages(CHANNEL).find((m) => m.authorId === fake.botUserId && pattern.test(m.content)),
  );
}

function qmigrateTasks(c: DiscordChat): number {
  return c.sim.cluster.tasks.all().filter((task) => task.record.type === 'qmigrate').length;
}

async function requestMigration(c: DiscordChat) {
  const { fake } = c;
  const interaction = fake.slashCommand({
    user: ALICE,
    channelId: CHANNEL,
    subcommand: 'migrate',
    options: { vm: 'TestVM', node: 'node03' },
  });
  // Deferred within Discord's 3 seconds, privately: nothing is public before the policy passed.
  expect(await interaction.acknowledged).toEqual({ type: 5, data: { flags: 64 } });
  const request = await requestMessage(fake, /ran `\/pve migrate TestVM node03`/);
  const card = await fake.waitFor(() => {
    const m = message(fake, request.id);
    return m && buttonIds(m).length > 0 ? m : undefined;
  });
  return { interaction, request: card };
}

describe('Discord end to end', () => {
  it('migrates TestVM to node03 once a holder of the on-call role approves; refuses the requester and others', async () => {
    const c = await startDiscordChat();
    chat = c;
    const { fake } = c;
    const { request } = await requestMigration(c);

    // The request message shows who asked, the resolved plan and the approval buttons.
    expect(request.content).toContain(`<@${ALICE.id}>`);
    expect(embedText(request)).toContain('migrate TestVM (qemu/100) node01 → node03');
    expect(buttonIds(request)).toEqual([
      expect.stringMatching(/^pve:approve:/),
      expect.stringMatching(/^pve:deny:/),
      expect.stringMatching(/^pve:cancel-request:/),
    ]);
    const approve = buttonIds(request)[0]!;

    // alice approves her own request, bob (no on-call role) tries too: both refused, to them only.
    await fake.clickButton({ user: ALICE, message: request, customId: approve }).acknowledged;
    const own = await fake.waitFor(() =>
      fake.ephemerals(ALICE.id).find((m) => /own request/i.test(embedText(m))),
    );
    expect(embedText(own)).toContain('Your click changed nothing');
    await fake.clickButton({ user: BOB, message: request, customId: approve }).acknowledged;
    const notAllowed = await fake.waitFor(() =>
      fake.ephemerals(BOB.id).find((m) => /changed nothing/.test(embedText(m))),
    );
    expect(embedText(notAllowed)).toMatch(/on-call|oncall/);
    expect(await c.app.queue.list()).toEqual([]);
    expect(qmigrateTasks(c)).toBe(0);
    expect(fake.threads()).toEqual([]);

    // dave holds the role: approved, the buttons go, progress and result go into a thread on it.
    await fake.clickButton({ user: DAVE, message: request, customId: approve }).acknowledged;
    const approved = await fake.waitFor(() => {
      const m = message(fake, request.id);
      return m && /Approved by dave/.test(embedText(m)) ? m : undefined;
    });
    expect(buttonIds(approved)).toEqual([]);
    const result = await fake.waitFor(
      () =>
        fake
          .messages(request.id)
          .find((m) => /TestVM \(qemu\/100\) now runs on node03/.test(embedText(m)) && m.content !== ''),
      20_000,
    );
    expect(result.content).toBe(`<@${ALICE.id}>`);
    expect(c.sim.cluster.guest(100)?.node).toBe('node03');
    expect(fake.threads()).toEqual([
      { id: request.id, parentId: CHANNEL, name: 'migrate TestVM node03', messageId: request.id },
    ]);
    // Progress: one message in the thread, edited in place up to its end.
    const progress = fake.messages(request.id).filter((m) => /migrate · job /.test(embedText(m)));
    expect(progress).toHaveLength(1);
    await fake.waitFor(() => /✅/.test(embedText(message(fake, progress[0]!.id))));
    expect(message(fake, progress[0]!.id)!.edits).toBeGreaterThanOrEqual(2);
    // The request message is marked with the outcome.
    await fake.waitFor(() => message(fake, request.id)?.content.startsWith('✅'));
    expect(qmigrateTasks(c)).toBe(1);
  });

  it('autocompletes guest and node names from the cluster view, without a PVE call per keystroke', async () => {
    const c = await startDiscordChat();
    chat = c;
    const { fake } = c;
    const before = c.sim.requests.length;
    const keystrokes = ['T', 'Te', 'Tes'];
    let choices: Array<{ name: string; value: string | number }> = [];
    for (const typed of keystrokes) {
      choices = await fake.autocomplete({
        user: ALICE,
        channelId: CHANNEL,
        subcommand: 'migrate',
        options: { vm: typed },
        focused: 'vm',
      });
    }
    expect(choices[0]).toEqual({ name: 'TestVM (100) · node01 · running', value: 'TestVM' });
    const nodes = await fake.autocomplete({
      user: ALICE,
      channelId: CHANNEL,
      subcommand: 'migrate',
      options: { vm: 'TestVM', node: 'node0' },
      focused: 'node',
    });
    expect(nodes.map((n) => n.value)).toEqual(['node01', 'node02', 'node03']);
    // One cluster read (2 PVE calls) for all four answers.
    expect(c.sim.requests.length - before).toBe(2);
  });

  it('posts the status digest asked for into the thread, the chart attached to its card', async () => {
    const c = await startDiscordChat();
    chat = c;
    const { fake } = c;
    const interaction = fake.slashCommand({ user: ALICE, channelId: CHANNEL, subcommand: 'digest' });
    await interaction.acknowledged;
    const request = await requestMessage(fake, /ran `\/pve digest`/);
    const digest = await fake.waitFor(
      () => fake.messages(request.id).find((m) => /MonCluster/.test(embedText(m))),
      20_000,
    );
    // The cluster line, there whatever else the digest finds (the simulator's backup history is flagged).
    expect(embedText(digest)).toMatch(/Quorate, 3\/3 votes/);
    const [chart] = digest.attachments ?? [];
    expect(chart?.filename).toMatch(/^cluster-\d{4}-\d{2}-\d{2}\.png$/);
    expect(chart?.description).toMatch(/^CPU and memory per node/);
    const png = PNG.sync.read(chart!.bytes);
    expect([png.width, png.height]).toEqual([1000, 500]);
    // The picture shows inside the card.
    expect(embedText(digest)).toContain(`attachment://${chart!.filename}`);
  });

  it('answers a mistyped VM ephemerally and leaves nothing public behind', async () => {
    const c = await startDiscordChat();
    chat = c;
    const { fake } = c;
    const interaction = fake.slashCommand({
      user: ALICE,
      channelId: CHANNEL,
      subcommand: 'migrate',
      options: { vm: 'TestVN', node: 'node03' },
    });
    // Acknowledged privately: not even a passing "thinking" in the channel.
    expect(await interaction.acknowledged).toEqual({ type: 5, data: { flags: 64 } });
    const answer = await fake.waitFor(() =>
      fake.ephemerals(ALICE.id).find((m) => /Did you mean/.test(embedText(m))),
    );
    expect(embedText(answer)).toContain('TestVM');
    expect(fake.messages(CHANNEL)).toEqual([]);
    expect(fake.threads()).toEqual([]);
    expect(await c.app.queue.list()).toEqual([]);
  });

  it('without Create Public Threads, the progress and the result follow the request as replies in the channel; the channel is told once', async () => {
    const c = await startDiscordChat();
    chat = c;
    const { fake } = c;
    fake.refuseThreads(CHANNEL);
    const results: FakeMessage[] = [];
    const requests: FakeMessage[] = [];
    for (const target of ['node01', 'node02']) {
      const interaction = fake.slashCommand({
        user: ALICE,
        channelId: CHANNEL,
        subcommand: 'status',
        options: { target },
      });
      await interaction.acknowledged;
      const request = await requestMessage(fake, new RegExp(`ran \`/pve status ${target}\``));
      requests.push(request);
      results.push(
        await fake.waitFor(
          () =>
            fake.messages(CHANNEL).find((m) => m.replyTo === request.id && m.content === `<@${ALICE.id}>`),
          20_000,
        ),
      );
    }
    expect(embedText(results[0])).toMatch(/node01/);
    expect(fake.threads()).toEqual([]);
    // The progress message replies to its request too, and each request is marked with its outcome.
    for (const request of requests) {
      const progress = fake.messages(CHANNEL).filter((m) => m.replyTo === request.id && m.content === '');
      expect(progress).toHaveLength(1);
      await fake.waitFor(() => message(fake, request.id)?.content.startsWith('✅'));
    }
    // One word to the channel and one warning in the log, naming the permission; not one per message.
    const notices = fake.messages(CHANNEL).filter((m) => /Create Public Threads/.test(m.content));
    expect(notices).toHaveLength(1);
    expect(c.warnings.filter((w) => /Create Public Threads/.test(w))).toHaveLength(1);
    // Thread creation was asked once; the second request went straight to the channel.
    expect(fake.calls().filter((call) => call.path.endsWith('/threads'))).toHaveLength(1);
  });

  it('tells the person privately when the bot may not post its request message, and runs nothing', async () => {
    const c = await startDiscordChat();
    chat = c;
    const { fake } = c;
    fake.failNext('POST', new RegExp(`^/channels/${CHANNEL}/messages$`), {
      status: 403,
      code: 50013,
      message: 'Missing Permissions',
    });
    const interaction = fake.slashCommand({ user: ALICE, channelId: CHANNEL, subcommand: 'status' });
    await interaction.acknowledged;
    const answer = await fake.waitFor(() =>
      fake.ephemerals(ALICE.id).find((m) => /may not post in this channel/.test(embedText(m))),
    );
    expect(embedText(answer)).toMatch(/Nothing ran/);
    expect(embedText(answer)).toMatch(/Send Messages/);
    expect(fake.messages(CHANNEL)).toEqual([]);
    expect(await c.app.queue.list()).toEqual([]);
  });

  it('refuses commands from another server and from DMs privately; nothing runs', async () => {
    const c = await startDiscordChat();
    chat = c;
    const { fake } = c;
    const options = { vm: 'TestVM', node: 'node03' };
    const fromOther = fake.slashCommand({
      user: DAVE,
      channelId: CHANNEL,
      subcommand: 'migrate',
      options,
      guildId: '100000000000000099',
    });
    expect(await fromOther.acknowledged).toMatchObject({ type: 4, data: { flags: 64 } });
    const fromDm = fake.slashCommand({
      user: DAVE,
      channelId: '200000000000000077',
      subcommand: 'migrate',
      options,
      guildId: null,
    });
    expect(await fromDm.acknowledged).toMatchObject({ type: 4, data: { flags: 64 } });
    expect(fake.ephemerals(DAVE.id).map((m) => m.content)).toEqual([
      expect.stringMatching(/serves only the Discord server it was set up for/),
      expect.stringMatching(/serves only the Discord server it was set up for/),
    ]);
    expect(fake.messages(CHANNEL)).toEqual([]);
    expect(await c.app.queue.list()).toEqual([]);
    expect(await c.redis.keys(`${c.prefix}:approval*`)).toEqual([]);
  });

  it('keeps progress and results flowing through a gateway RECONNECT, and approvals after tokens expire and a bot restart', async () => {
    const c = await startDiscordChat(5);
    chat = c;
    const { fake } = c;
    const { request } = await requestMigration(c);
    const approve = buttonIds(request)[0]!;

    // Every interaction token of the request is now past Discord's 15 minutes, and the bot restarts.
    fake.expireInteractionTokens();
    await c.restartBot();
    await fake.clickButton({ user: DAVE, message: request, customId: approve }).acknowledged;
    await fake.waitFor(() => /Approved by dave/.test(embedText(message(fake, request.id))));

    // Mid-migration the bot restarts again, and then Discord asks it to reconnect; it resumes.
    const progress = await fake.waitFor(() =>
      fake.messages(request.id).find((m) => /migrate · job /.test(embedText(m))),
    );
    const migrating = () => c.sim.cluster.tasks.running().some((task) => task.record.type === 'qmigrate');
    await fake.waitFor(() => migrating() || undefined);
    const editsBefore = message(fake, progress.id)!.edits;
    await c.restartBot();
    // Still migrating (a bot restart takes milliseconds; the migration seconds), so the reconnect
    // below happens mid-job and the new bot is the one that reports the rest.
    expect(migrating()).toBe(true);
    const identifiesBefore = fake.identifies;
    await fake.reconnect();
    expect(fake.identifies).toBe(identifiesBefore);
    expect(fake.resumes).toBeGreaterThanOrEqual(1);
    const result = await fake.waitFor(
      () =>
        fake.messages(request.id).find((m) => /now runs on node03/.test(embedText(m)) && m.content !== ''),
      30_000,
    );
    expect(result.content).toBe(`<@${ALICE.id}>`);
    expect(c.sim.cluster.guest(100)?.node).toBe('node03');
    // One progress message, edited by whichever bot was running, never a second one.
    expect(fake.messages(request.id).filter((m) => /migrate · job /.test(embedText(m)))).toEqual([
      expect.objectContaining({ id: progress.id }),
    ]);
    await fake.waitFor(() => /✅/.test(embedText(message(fake, progress.id))));
    expect(message(fake, progress.id)!.edits).toBeGreaterThan(editsBefore);
    expect(qmigrateTasks(c)).toBe(1);
  });
});

describe('pve-chatops discord:register', () => {
  it('registers /pve with every subcommand in the configured guild', async () => {
    const fake = await FakeDiscord.start();
    try {
      const cli = fileURLToPath(new URL('../../src/app/cli.ts', import.meta.url));
      const args = ['--import', 'tsx', cli, '--', 'discord:register', '--env-file', '/dev/null'];
      const { stdout } = await promisify(execFile)(process.execPath, args, {
        env: {
          PATH: process.env.PATH,
          DISCORD_TOKEN: fake.token,
          DISCORD_APPLICATION_ID: fake.applicationId,
          DISCORD_GUILD_ID: fake.guildId,
          DISCORD_API_URL: fake.apiUrl,
        },
      });
      expect(stdout).toMatch(/Registered \/pve in guild \d+: help, status, .*migrate, clone/);
      expect(fake.commandRegistrations()).toHaveLength(1);
      const [registration] = fake.commandRegistrations();
      expect(registration!.guildId).toBe(fake.guildId);
      expect(registration!.commands).toEqual(slashCommandDefinitions());
    } finally {
      await fake.stop();
    }
  });
});
