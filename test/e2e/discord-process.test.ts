// Discord through the real process: `pve-chatops all` from the compiled build, as the README runs
// it, against the fake Discord (REST and gateway) and the simulator, with a policy file. The
// process loads its own modules in its own order; what passes in-process can fail here (the
// digest's picture did: the undici the process loads first decides how discord.js's uploads are
// sent). A command asks for an approval, another person approves, progress and the result
// follow in the request's thread; the digest arrives with its chart; an interaction delivered
// twice runs once; one from another server runs nothing; a channel where the bot may not start
// threads still gets the result, as a reply.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis } from '../../src/jobs/redis-connection.js';
import { silentLogger } from '../../src/logger.js';
import { type RunningSimulator, type SimCluster, startSimulator } from '../../src/sim/simulator.js';
import { FakeDiscord, type FakeDiscordUser, type FakeMessage } from '../fakes/discord/fake-discord.js';
import { type CompiledCli, startCompiledCli } from './helpers/compiled-cli.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Safety nets only: every wait ends on an event; a loaded machine may need this long. */
const WAIT_MS = 30_000;
const TEST_MS = 60_000;
const CHANNEL = '200000000000000001';
const DIGEST_CHANNEL = '200000000000000010';
const NO_THREADS_CHANNEL = '200000000000000020';
const OTHER_GUILD = '100000000000000099';
const ONCALL_ROLE = '300000000000000001';
const ALICE: FakeDiscordUser = { id: '400000000000000001', username: 'alice' };
const DAVE: FakeDiscordUser = { id: '400000000000000002', username: 'dave', roles: [ONCALL_ROLE] };

const POLICY = `
roles:
  oncall:
    members: ['discord-role:${ONCALL_ROLE}']
commands:
  status:
    allow: [everyone]
  digest:
    allow: [everyone]
  migrate:
    allow: [everyone]
    approval:
      approvers: [oncall]
      count: 1
      ttl: 30m
`;

function embedText(message: FakeMessage | undefined): string {
  return JSON.stringify(message?.embeds ?? []);
}

function buttonIds(message: FakeMessage | undefined): string[] {
  const rows = (message?.components ?? []) as Array<{ components?: Array<{ custom_id?: string }> }>;
  return rows.flatMap((row) => row.components ?? []).flatMap((b) => (b.custom_id ? [b.custom_id] : []));
}

/** What the process reports as a failed delivery ends the wait at once, with its log line. */
function orFailure<T>(waiting: Promise<T>): Promise<T> {
  const failed = cli
    .waitFor(/outbox handler failed|a Discord interaction failed/, 'a failure')
    .then((line) => {
      throw new Error(`the process failed: ${line}`);
    });
  failed.catch(() => undefined);
  return Promise.race([waiting, failed]);
}

/** The request message the bot posted for `command` in `channel`, once the core accepted it. */
function requestMessage(channel: string, command: string): Promise<FakeMessage> {
  const line = `<@${ALICE.id}> ran \`/pve ${command}\``;
  return orFailure(fake.waitFor(() => fake.messages(channel).find((m) => m.content.endsWith(line)), WAIT_MS));
}

function message(id: string): FakeMessage | undefined {
  return fake.messages().find((m) => m.id === id);
}

let fake: FakeDiscord;
let sim: RunningSimulator<SimCluster>;
let cli: CompiledCli;
const prefix = `test-discord-process-${randomUUID()}`;

beforeAll(async () => {
  fake = await FakeDiscord.start();
  fake.addChannel(CHANNEL, 'ops');
  fake.addChannel(DIGEST_CHANNEL, 'digest');
  fake.addChannel(NO_THREADS_CHANNEL, 'no-threads');
  fake.addRole(ONCALL_ROLE, 'on-call');
  fake.refuseThreads(NO_THREADS_CHANNEL);
  sim = await startSimulator({ port: 0, speed: 50, authFailureDelayMs: 0 });
  const policyFile = join(mkdtempSync(join(tmpdir(), 'pve-chatops-policy-')), 'policy.yml');
  writeFileSync(policyFile, POLICY);
  cli = startCompiledCli(['all'], {
    ...sim.env(),
    DISCORD_TOKEN: fake.token,
    DISCORD_APPLICATION_ID: fake.applicationId,
    DISCORD_GUILD_IDS: fake.guildId,
    DISCORD_API_URL: fake.apiUrl,
    POLICY_FILE: policyFile,
    REDIS_URL,
    REDIS_PREFIX: prefix,
    PORT: '0',
    DIGEST_CRON: 'off',
  });
  await cli.waitFor(/pve-chatops ready/, 'ready');
  await fake.ready();
}, TEST_MS);

afterAll(async () => {
  await cli?.stop();
  await sim?.stop();
  await fake?.stop();
  const redis = createRedis(REDIS_URL, silentLogger, 'test');
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.unlink(...keys);
  redis.disconnect();
}, TEST_MS);

describe('pve-chatops all on Discord (compiled process)', () => {
  it(
    'migrates TestVM once another person with the on-call role approves: request, approval, progress and result in its thread',
    async () => {
      const interaction = fake.slashCommand({
        user: ALICE,
        channelId: CHANNEL,
        subcommand: 'migrate',
        options: { vm: 'TestVM', node: 'node03' },
      });
      // Acknowledged privately: nothing public before the policy passed.
      expect(await interaction.acknowledged).toEqual({ type: 5, data: { flags: 64 } });
      const posted = await requestMessage(CHANNEL, 'migrate TestVM node03');
      const request = await orFailure(
        fake.waitFor(
          () => (buttonIds(message(posted.id)).length > 0 ? message(posted.id) : undefined),
          WAIT_MS,
        ),
      );
      expect(embedText(request)).toContain('migrate TestVM (qemu/100) node01 → node03');
      const approve = buttonIds(request).find((id) => id.startsWith('pve:approve:'))!;

      await fake.clickButton({ user: DAVE, message: request, customId: approve }).acknowledged;
      await orFailure(fake.waitFor(() => /Approved by dave/.test(embedText(message(request.id))), WAIT_MS));
      const result = await orFailure(
        fake.waitFor(
          () =>
            fake
              .messages(request.id)
              .find((m) => /now runs on node03/.test(embedText(m)) && m.content !== ''),
          WAIT_MS,
        ),
      );
      expect(result.content).toBe(`<@${ALICE.id}>`);
      expect(fake.threads()).toContainEqual({
        id: request.id,
        parentId: CHANNEL,
        name: 'migrate TestVM node03',
        messageId: request.id,
      });
      // Progress: one message in the thread, edited in place up to its end.
      const progress = fake.messages(request.id).filter((m) => /migrate · job /.test(embedText(m)));
      expect(progress).toHaveLength(1);
      await orFailure(fake.waitFor(() => /✅/.test(embedText(message(progress[0]!.id))), WAIT_MS));
      await orFailure(fake.waitFor(() => message(request.id)?.content.startsWith('✅'), WAIT_MS));
      expect(sim.cluster.guest(100)?.node).toBe('node03');
      expect(sim.cluster.tasks.all().filter((task) => task.record.type === 'qmigrate')).toHaveLength(1);
    },
    TEST_MS,
  );

  it(
    'posts the digest with its chart: the PNG reaches Discord as an attachment of the card',
    async () => {
      const interaction = fake.slashCommand({ user: ALICE, channelId: DIGEST_CHANNEL, subcommand: 'digest' });
      await interaction.acknowledged;
      const request = await requestMessage(DIGEST_CHANNEL, 'digest');
      const digest = await orFailure(
        fake.waitFor(
          () =>
            fake
              .messages(request.id)
              .find((m) => /MonCluster/.test(embedText(m)) && m.attachments.length > 0),
          WAIT_MS,
        ),
      );
      const [chart] = digest.attachments;
      expect(chart?.filename).toMatch(/^cluster-\d{4}-\d{2}-\d{2}\.png$/);
      expect(chart?.contentType).toBe('image/png');
      const png = PNG.sync.read(chart!.bytes);
      expect([png.width, png.height]).toEqual([1000, 500]);
      expect(embedText(digest)).toContain(`attachment://${chart!.filename}`);
    },
    TEST_MS,
  );

  it(
    'runs an interaction Discord delivers twice once',
    async () => {
      const interaction = fake.slashCommand({
        user: ALICE,
        channelId: CHANNEL,
        subcommand: 'status',
        options: { target: 'node02' },
      });
      fake.redeliver(interaction);
      await interaction.acknowledged;
      const request = await requestMessage(CHANNEL, 'status node02');
      await orFailure(
        fake.waitFor(() => fake.messages(request.id).find((m) => m.content === `<@${ALICE.id}>`), WAIT_MS),
      );
      await cli.waitFor(new RegExp(`"interaction":"${interaction.id}".*already answered`), 'the repeat');
      const requests = fake.messages(CHANNEL).filter((m) => m.content.endsWith('ran `/pve status node02`'));
      expect(requests.map((m) => m.id)).toEqual([request.id]);
      expect(fake.messages(request.id).filter((m) => m.content === `<@${ALICE.id}>`)).toHaveLength(1);
    },
    TEST_MS,
  );

  it(
    'runs nothing for a command from another server, and tells the person privately',
    async () => {
      const before = fake.messages().length;
      const interaction = fake.slashCommand({
        user: DAVE,
        channelId: CHANNEL,
        subcommand: 'migrate',
        options: { vm: 'TestVM', node: 'node01' },
        guildId: OTHER_GUILD,
      });
      expect(await interaction.acknowledged).toMatchObject({ type: 4, data: { flags: 64 } });
      await cli.waitFor(new RegExp(`"interaction":"${interaction.id}".*does not serve`), 'the refusal');
      expect(fake.ephemerals(DAVE.id).map((m) => m.content)).toContainEqual(
        expect.stringMatching(/serves only the Discord server it was set up for/),
      );
      expect(fake.messages()).toHaveLength(before);
      expect(sim.cluster.guest(100)?.node).toBe('node03');
    },
    TEST_MS,
  );

  it(
    'delivers the result where the bot may not start threads: replies to the request in the channel, the channel told once',
    async () => {
      const interaction = fake.slashCommand({
        user: ALICE,
        channelId: NO_THREADS_CHANNEL,
        subcommand: 'status',
        options: { target: 'node01' },
      });
      await interaction.acknowledged;
      const request = await requestMessage(NO_THREADS_CHANNEL, 'status node01');
      const result = await orFailure(
        fake.waitFor(
          () =>
            fake
              .messages(NO_THREADS_CHANNEL)
              .find((m) => m.replyTo === request.id && m.content === `<@${ALICE.id}>`),
          WAIT_MS,
        ),
      );
      expect(embedText(result)).toMatch(/node01/);
      expect(fake.threads().filter((t) => t.parentId === NO_THREADS_CHANNEL)).toEqual([]);
      expect(
        fake.messages(NO_THREADS_CHANNEL).filter((m) => /Create Public Threads/.test(m.content)),
      ).toHaveLength(1);
      expect(cli.output()).toMatch(/cannot start threads in this Discord channel/);
    },
    TEST_MS,
  );
});
