// Files on Discord messages (the digest's chart): the real DiscordAdapter (discord.js on the
// gateway and REST) against FakeDiscord. The file travels with the message that carries the card,
// as a multipart part, and the card's embed shows it (`attachment://name`). Also what FakeDiscord
// refuses, as Discord does, when the parts and the `attachments` list disagree.
import { DiscordAPIError, REST, Routes } from 'discord.js';
import { PNG } from 'pngjs';
import { afterEach, describe, expect, it } from 'vitest';
import { DiscordAdapter } from '../../src/bots/discord/discord-adapter.js';
import type { DiscordThread } from '../../src/bots/discord/discord-thread.js';
import type { CoreApi } from '../../src/core/core-api.js';
import type { Attachment, Card } from '../../src/core/message.js';
import { type Logger, silentLogger } from '../../src/logger.js';
import { FakeDiscord, type FakeMessage } from '../fakes/discord/fake-discord.js';

const CHANNEL = '200000000000000001';
const IDLE_CORE: CoreApi = {
  handle: async () => {},
  press: async () => {},
  suggest: async () => [],
};

/** A small real PNG, each seed different bytes. */
function png(seed: number): Uint8Array {
  const image = new PNG({ width: 8, height: 4 });
  image.data.fill(seed);
  return PNG.sync.write(image);
}

function chart(seed = 1, name = 'cluster-2026-11-22.png'): Attachment {
  return {
    name,
    contentType: 'image/png',
    data: png(seed),
    alt: 'CPU, memory and guests per node of MonCluster',
  };
}

const card = (title: string, status: Card['status'] = 'info'): Card => ({ title, status, text: 'digest' });
const embedImage = (message: FakeMessage | undefined) =>
  (message?.embeds[0] as { image?: { url?: string } } | undefined)?.image?.url;

interface Started {
  fake: FakeDiscord;
  adapter: DiscordAdapter;
  warnings: string[];
}

/** What each test started, stopped after it, newest first. */
const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

async function start(): Promise<Started> {
  const fake = await FakeDiscord.start();
  stops.push(() => fake.stop());
  fake.addChannel(CHANNEL, 'ops');
  const warnings: string[] = [];
  const logger: Logger = { ...silentLogger, warn: (_fields, message) => warnings.push(message) };
  const adapter = new DiscordAdapter({
    token: fake.token,
    guildIds: [fake.guildId],
    apiUrl: fake.apiUrl,
    logger,
    editIntervalMs: 20,
  });
  await adapter.start(IDLE_CORE);
  stops.push(() => adapter.stop());
  return { fake, adapter, warnings };
}

describe('Discord attachments', () => {
  it('still posts the card when the bot may not attach files (403 Missing Permissions)', async () => {
    const { fake, adapter, warnings } = await start();
    fake.failNext('POST', /^\/channels\/\d+\/messages$/, {
      status: 403,
      code: 50013,
      message: 'Missing Permissions',
    });
    await adapter.send({
      thread: { platform: 'discord', channel: `discord:${CHANNEL}` },
      card: card('Daily digest'),
      attachments: [chart()],
    });
    const [message] = fake.messages(CHANNEL);
    expect(message?.attachments ?? []).toEqual([]);
    expect(JSON.stringify(message?.embeds)).toContain('Daily digest');
    expect(embedImage(message)).toBeUndefined();
    expect(warnings.some((w) => /Attach Files/.test(w))).toBe(true);
  });

  it('attaches the chart to the digest’s own message in the channel, drawn inside its card', async () => {
    const { fake, adapter } = await start();
    const attachment = chart();
    await adapter.send({
      thread: { platform: 'discord', channel: `discord:${CHANNEL}` },
      card: card('Daily digest'),
      attachments: [attachment],
    });

    const [message, ...others] = fake.messages(CHANNEL);
    expect(others).toEqual([]);
    expect(message!.attachments).toHaveLength(1);
    const [file] = message!.attachments;
    expect(file).toMatchObject({
      filename: 'cluster-2026-11-22.png',
      description: 'CPU, memory and guests per node of MonCluster',
      contentType: 'image/png',
      size: attachment.data.length,
    });
    expect(file!.bytes.equals(Buffer.from(attachment.data))).toBe(true);
    expect(embedImage(message)).toBe('attachment://cluster-2026-11-22.png');
    // One request carried card and file: multipart, the file listed as attachment 0.
    const posts = fake
      .calls()
      .filter((c) => c.method === 'POST' && c.path === `/channels/${CHANNEL}/messages`);
    expect(posts).toHaveLength(1);
    expect(posts[0]!.body).toMatchObject({
      attachments: [
        {
          id: 0,
          filename: 'cluster-2026-11-22.png',
          description: 'CPU, memory and guests per node of MonCluster',
        },
      ],
    });
  });

  it('attaches it inside the request’s thread when the message answers a request', async () => {
    const { fake, adapter } = await start();
    await adapter.send({ thread: { platform: 'discord', channel: CHANNEL }, card: card('/pve status') });
    const [request] = fake.messages(CHANNEL);
    const thread: DiscordThread = { platform: 'discord', channel: CHANNEL, message: request!.id, user: '1' };

    await adapter.send({ thread, card: card('Daily digest'), attachments: [chart(3)] });

    expect(fake.threads()).toEqual([expect.objectContaining({ id: request!.id, messageId: request!.id })]);
    const [inThread] = fake.messages(request!.id);
    expect(inThread!.attachments.map((a) => a.filename)).toEqual(['cluster-2026-11-22.png']);
    expect(inThread!.attachments[0]!.bytes.equals(Buffer.from(chart(3).data))).toBe(true);
    expect(embedImage(inThread)).toBe('attachment://cluster-2026-11-22.png');
    expect(fake.messages(CHANNEL).flatMap((m) => m.attachments)).toEqual([]);
  });

  it('sends the files of an edited message with its first post only, and keeps them through edits', async () => {
    const { fake, adapter } = await start();
    const thread: DiscordThread = { platform: 'discord', channel: CHANNEL };
    const attachments = [chart()];
    await adapter.send({ thread, key: 'digest', card: card('Digest', 'running'), attachments });
    await adapter.send({ thread, key: 'digest', card: card('Digest, done', 'succeeded'), attachments });
    await adapter.idle();

    const [message, ...others] = fake.messages(CHANNEL);
    expect(others).toEqual([]);
    expect(message!.edits).toBe(1);
    expect(JSON.stringify(message!.embeds)).toContain('Digest, done');
    expect(message!.attachments.map((a) => a.filename)).toEqual(['cluster-2026-11-22.png']);
    expect(embedImage(message)).toBe('attachment://cluster-2026-11-22.png');
    const patch = fake.calls().find((c) => c.method === 'PATCH');
    expect(patch?.body).not.toHaveProperty('attachments');
  });

  it('names files so that attachment:// finds them, and sends at most 10', async () => {
    const { fake, adapter, warnings } = await start();
    const many = Array.from({ length: 12 }, (_, i) =>
      chart(i, i === 0 ? 'cluster 22 Nov (MonCluster).png' : `extra-${i}.png`),
    );
    await adapter.send({
      thread: { platform: 'discord', channel: CHANNEL },
      card: card('Digest'),
      attachments: many,
    });

    const [message] = fake.messages(CHANNEL);
    expect(message!.attachments).toHaveLength(10);
    expect(message!.attachments[0]!.filename).toBe('cluster_22_Nov__MonCluster_.png');
    expect(embedImage(message)).toBe('attachment://cluster_22_Nov__MonCluster_.png');
    expect(warnings).toEqual([expect.stringContaining('10 files per message')]);
  });
});

describe('FakeDiscord attachments', () => {
  async function rest(): Promise<{ fake: FakeDiscord; rest: REST }> {
    const fake = await FakeDiscord.start();
    stops.push(() => fake.stop());
    fake.addChannel(CHANNEL);
    return { fake, rest: new REST({ api: fake.apiUrl, retries: 0 }).setToken(fake.token) };
  }
  const file = (name: string) => ({ name, data: png(7), contentType: 'image/png' });

  it('answers with Discord-shaped attachments and resolves attachment:// in the embed', async () => {
    const { rest: api } = await rest();
    const answer = (await api.post(Routes.channelMessages(CHANNEL), {
      body: {
        embeds: [{ title: 'chart', image: { url: 'attachment://a.png' } }],
        attachments: [{ id: 0, filename: 'a.png' }],
      },
      files: [file('a.png')],
    })) as { attachments: Array<Record<string, unknown>>; embeds: Array<{ image: { url: string } }> };
    expect(answer.attachments).toEqual([
      {
        id: expect.stringMatching(/^\d+$/),
        filename: 'a.png',
        size: png(7).length,
        url: expect.stringMatching(/\/a\.png$/),
        proxy_url: expect.any(String),
        content_type: 'image/png',
      },
    ]);
    expect(answer.embeds[0]!.image.url).toBe(answer.attachments[0]!.url);
  });

  it('refuses an attachment without its file part, a file part without its entry, and an 11th file', async () => {
    const { fake, rest: api } = await rest();
    const refusal = (body: object, files: ReturnType<typeof file>[]) =>
      api.post(Routes.channelMessages(CHANNEL), { body, files }).then(
        () => undefined,
        (error: unknown) => error,
      );

    const noPart = await refusal({ content: 'x', attachments: [{ id: 1, filename: 'a.png' }] }, [
      file('a.png'),
    ]);
    expect(noPart).toBeInstanceOf(DiscordAPIError);
    expect((noPart as DiscordAPIError).code).toBe(50035);
    expect(JSON.stringify((noPart as DiscordAPIError).rawError)).toMatch(/attachments.*1.*id|files/);

    const noEntry = await refusal({ content: 'x' }, [file('a.png')]);
    expect((noEntry as DiscordAPIError).code).toBe(50035);

    const eleven = Array.from({ length: 11 }, (_, i) => file(`f${i}.png`));
    const tooMany = await refusal(
      { content: 'x', attachments: eleven.map((f, id) => ({ id, filename: f.name })) },
      eleven,
    );
    expect((tooMany as DiscordAPIError).code).toBe(50035);
    expect(fake.messages(CHANNEL)).toEqual([]);
  });
});
