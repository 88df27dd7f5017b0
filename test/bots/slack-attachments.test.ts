// Files on Slack messages (the digest's chart): the real SlackAdapter and its WebClient against
// FakeSlack, through Slack's upload flow (files.getUploadURLExternal, the bytes to the upload URL,
// files.completeUploadExternal). HTTP and Socket Mode share this send path; Socket Mode is used
// because it needs no port of the adapter's own.
import { PNG } from 'pngjs';
import { afterEach, describe, expect, it } from 'vitest';
import { SlackAdapter } from '../../src/bots/slack/slack-adapter.js';
import type { SlackThread } from '../../src/bots/slack/slack-thread.js';
import type { CoreApi } from '../../src/core/core-api.js';
import type { Attachment, Card } from '../../src/core/message.js';
import { type Logger, silentLogger } from '../../src/logger.js';
import { FakeSlack } from '../fakes/slack/fake-slack.js';

const CHANNEL = 'C1';
const IDLE_CORE: CoreApi = {
  handle: async () => {},
  press: async () => {},
  suggest: async () => [],
};

/** A small real PNG, each call different bytes. */
function png(seed: number): Uint8Array {
  const image = new PNG({ width: 8, height: 4 });
  image.data.fill(seed);
  return PNG.sync.write(image);
}

function chart(seed = 1): Attachment {
  return {
    name: 'cluster-2026-11-22.png',
    contentType: 'image/png',
    data: png(seed),
    alt: 'CPU, memory and guests per node of MonCluster',
  };
}

const card = (title: string, status: Card['status'] = 'info'): Card => ({ title, status, text: 'digest' });

interface Started {
  fake: FakeSlack;
  adapter: SlackAdapter;
  warnings: string[];
}

let running: Started | undefined;
afterEach(async () => {
  await running?.adapter.stop();
  await running?.fake.stop();
  running = undefined;
});

async function start(): Promise<Started> {
  const fake = await FakeSlack.start();
  const warnings: string[] = [];
  const logger: Logger = {
    ...silentLogger,
    warn: (fields, message) => warnings.push(`${message} ${JSON.stringify(fields)}`),
  };
  const adapter = new SlackAdapter({
    botToken: fake.botToken,
    appToken: fake.appToken,
    apiUrl: fake.apiUrl,
    logger,
    editIntervalMs: 20,
  });
  await adapter.start(IDLE_CORE);
  running = { fake, adapter, warnings };
  return running;
}

/** A request message to hang a thread on, as a slash command would have posted it. */
async function requestThread({ fake, adapter }: Started): Promise<SlackThread> {
  await adapter.send({ thread: { platform: 'slack', channel: CHANNEL }, card: card('/pve status') });
  const [request] = fake.messages(CHANNEL);
  return { platform: 'slack', channel: CHANNEL, thread_ts: request!.ts };
}

describe('Slack attachments', () => {
  it('uploads the file into the card’s thread, after the card', async () => {
    const started = await start();
    const { fake, adapter } = started;
    const thread = await requestThread(started);
    const attachment = chart();
    await adapter.send({ thread, card: card('Daily digest'), attachments: [attachment] });

    const [file, ...others] = fake.files(CHANNEL);
    expect(others).toEqual([]);
    expect(file).toMatchObject({
      name: 'cluster-2026-11-22.png',
      title: 'cluster-2026-11-22.png',
      altText: 'CPU, memory and guests per node of MonCluster',
      channel: CHANNEL,
      threadTs: thread.thread_ts,
      mimetype: 'image/png',
    });
    expect(file!.bytes.equals(Buffer.from(attachment.data))).toBe(true);
    // In the thread: the card, then the message that shares the file.
    const replies = fake.thread(CHANNEL, thread.thread_ts!);
    expect(replies.map((m) => m.source)).toEqual(['chat.postMessage', 'files.completeUploadExternal']);
    expect(replies[1]!.files).toEqual([file!.id]);
    expect(fake.calls().map((c) => c.method)).toEqual([
      // Bolt's token check, then the adapter's own (which workspace it serves).
      'auth.test',
      'auth.test',
      'apps.connections.open',
      'chat.postMessage',
      'chat.postMessage',
      'files.getUploadURLExternal',
      'files.completeUploadExternal',
    ]);
  });

  it('uploads each of several files, and into the channel itself for a message without a thread', async () => {
    const { fake, adapter } = await start();
    const first = chart(1);
    const second = { ...chart(2), name: 'storage.png', alt: 'storage use per pool' };
    await adapter.send({
      thread: { platform: 'slack', channel: `slack:${CHANNEL}` },
      card: card('Daily digest'),
      attachments: [first, second],
    });
    const files = fake.files(CHANNEL);
    expect(files.map((f) => [f.name, f.altText, f.threadTs])).toEqual([
      ['cluster-2026-11-22.png', 'CPU, memory and guests per node of MonCluster', undefined],
      ['storage.png', 'storage use per pool', undefined],
    ]);
    expect(files[1]!.bytes.equals(Buffer.from(second.data))).toBe(true);
    expect(fake.messages(CHANNEL).map((m) => m.source)).toEqual([
      'chat.postMessage',
      'files.completeUploadExternal',
      'files.completeUploadExternal',
    ]);
  });

  it('uploads the files of an edited message once, with its first version', async () => {
    const started = await start();
    const { fake, adapter } = started;
    const thread = await requestThread(started);
    const attachments = [chart()];
    await adapter.send({ thread, key: 'digest', card: card('Digest', 'running'), attachments });
    await adapter.send({ thread, key: 'digest', card: card('Digest, done', 'succeeded'), attachments });
    await adapter.idle();

    expect(fake.files(CHANNEL)).toHaveLength(1);
    const cards = fake.thread(CHANNEL, thread.thread_ts!).filter((m) => m.source === 'chat.postMessage');
    expect(cards).toHaveLength(1);
    expect(cards[0]!.edits).toHaveLength(1);
  });

  it('keeps the card when the upload fails, and says why in the log', async () => {
    const started = await start();
    const { fake, adapter, warnings } = started;
    const thread = await requestThread(started);
    fake.failNext('files.getUploadURLExternal', { error: 'missing_scope' });

    await adapter.send({ thread, card: card('Daily digest'), attachments: [chart()] });

    expect(fake.files()).toEqual([]);
    expect(fake.thread(CHANNEL, thread.thread_ts!).map((m) => m.source)).toEqual(['chat.postMessage']);
    expect(warnings).toEqual([
      expect.stringMatching(/cannot upload a file to Slack.*missing_scope.*files:write/),
    ]);
  });
});
