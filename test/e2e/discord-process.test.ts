// Discord through the real process: `pve-chatops all` from the compiled build, as the README runs
// it, against the fake Discord (REST and gateway) and the simulator. The process loads its own
// modules in its own order; what passes in-process can fail here (the digest's picture did: the
// undici the process loads first decides how discord.js's uploads are sent).
import { randomUUID } from 'node:crypto';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis } from '../../src/jobs/redis-connection.js';
import { silentLogger } from '../../src/logger.js';
import { type RunningSimulator, type SimCluster, startSimulator } from '../../src/sim/simulator.js';
import { FakeDiscord, type FakeDiscordUser, type FakeMessage } from '../fakes/discord/fake-discord.js';
import { type CompiledCli, startCompiledCli } from './helpers/compiled-cli.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const DIGEST_CHANNEL = '200000000000000010';
const ALICE: FakeDiscordUser = { id: '400000000000000001', username: 'alice' };

function embedText(message: FakeMessage | undefined): string {
  return JSON.stringify(message?.embeds ?? []);
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

let fake: FakeDiscord;
let sim: RunningSimulator<SimCluster>;
let cli: CompiledCli;
const prefix = `test-discord-process-${randomUUID()}`;

beforeAll(async () => {
  fake = await FakeDiscord.start();
  fake.addChannel(DIGEST_CHANNEL, 'digest');
  sim = await startSimulator({ port: 0, speed: 50, authFailureDelayMs: 0 });
  cli = startCompiledCli(['all'], {
    ...sim.env(),
    DISCORD_TOKEN: fake.token,
    DISCORD_APPLICATION_ID: fake.applicationId,
    DISCORD_GUILD_ID: fake.guildId,
    DISCORD_API_URL: fake.apiUrl,
    REDIS_URL,
    REDIS_PREFIX: prefix,
    PORT: '0',
    DIGEST_CRON: 'off',
  });
  await cli.waitFor(/pve-chatops ready/, 'ready');
  await fake.ready();
});

afterAll(async () => {
  await cli?.stop();
  await sim?.stop();
  await fake?.stop();
  const redis = createRedis(REDIS_URL, silentLogger, 'test');
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.unlink(...keys);
  redis.disconnect();
});

describe('pve-chatops all on Discord (compiled process)', () => {
  it('posts the digest with its chart: the PNG reaches Discord as an attachment of the card', async () => {
    const interaction = fake.slashCommand({ user: ALICE, channelId: DIGEST_CHANNEL, subcommand: 'digest' });
    await interaction.acknowledged;
    const digest = await orFailure(
      fake.waitFor(
        () => fake.messages().find((m) => /MonCluster/.test(embedText(m)) && m.attachments.length > 0),
        20_000,
      ),
    );
    const [chart] = digest.attachments;
    expect(chart?.filename).toMatch(/^cluster-\d{4}-\d{2}-\d{2}\.png$/);
    expect(chart?.contentType).toBe('image/png');
    const png = PNG.sync.read(chart!.bytes);
    expect([png.width, png.height]).toEqual([1000, 500]);
    expect(embedText(digest)).toContain(`attachment://${chart!.filename}`);
    expect(cli.output()).not.toMatch(/outbox handler failed/);
  });
});
