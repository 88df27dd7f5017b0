// End to end through Slack, as people click it: the real SlackAdapter (Bolt and WebClient) against
// FakeSlack over HTTP and over Socket Mode, the real core, policy, approvals and audit on Redis,
// the real worker and outbox, real HTTPS to the simulator.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { PNG } from 'pngjs';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningChatOps, startChatOps } from '../../src/app/start-chatops.js';
import { SlackAdapter } from '../../src/bots/slack/slack-adapter.js';
import { parsePolicy } from '../../src/core/policy/index.js';
import { createRedis } from '../../src/jobs/redis-connection.js';
import { type Logger, silentLogger } from '../../src/logger.js';
import { ProxmoxClient } from '../../src/proxmox/proxmox-client.js';
import { type RunningSimulator, type SimCluster, startSimulator } from '../../src/sim/simulator.js';
import { findButton, signRequest } from '../fakes/slack/build-payloads.js';
import { FakeSlack } from '../fakes/slack/fake-slack.js';
import type { SocketModeServer } from '../fakes/slack/socket-mode-server.js';
import type { DeliveryResult, FakeDelivery, FakeMessage, SlashCommandInput } from '../fakes/slack/types.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const CHANNEL = 'C1';
const ALICE = 'U1';
const DAVE = 'U2';

const POLICY = `
roles:
  oncall:
    members: ['slack-group:S0ONCALL']
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

type Mode = 'http' | 'socket';

interface WaitableLog {
  logger: Logger;
  /** Resolves once a line whose message matches was logged (also one logged already). */
  waitFor(pattern: RegExp): Promise<void>;
}

/** A logger that keeps each message, so a test can wait for one instead of for time to pass. */
function waitableLog(): WaitableLog {
  const messages: string[] = [];
  const waiters = new Set<{ pattern: RegExp; resolve: () => void }>();
  const at = (_fields: Record<string, unknown>, message: string): void => {
    messages.push(message);
    for (const waiter of [...waiters]) {
      if (!waiter.pattern.test(message)) continue;
      waiters.delete(waiter);
      waiter.resolve();
    }
  };
  return {
    logger: { debug: at, info: at, warn: at, error: at },
    waitFor: (pattern) =>
      messages.some((m) => pattern.test(m))
        ? Promise.resolve()
        : new Promise((resolve) => waiters.add({ pattern, resolve })),
  };
}

interface SlackChat {
  mode: Mode;
  fake: FakeSlack;
  sim: RunningSimulator<SimCluster>;
  app: RunningChatOps;
  adapter: SlackAdapter;
  /** What the adapter and the core logged. */
  logs: WaitableLog;
  /** Where Slack delivers: the adapter's /slack/events URL, or its Socket Mode connection. */
  target: { url: string } | 'socket';
  command(text: string, userId?: string): Promise<DeliveryResult>;
  stop(): Promise<void>;
}

async function startSlackChat(mode: Mode): Promise<SlackChat> {
  const fake = await FakeSlack.start();
  fake.setUser(ALICE, 'alice');
  fake.setUser(DAVE, 'dave');
  fake.setUserGroup('S0ONCALL', [DAVE]);
  const sim = await startSimulator({ port: 0, speed: 50, authFailureDelayMs: 0 });
  const redis: Redis = createRedis(REDIS_URL, silentLogger, 'test');
  const prefix = `test-slack-${randomUUID()}`;
  const pve = new ProxmoxClient({
    hosts: sim.hosts,
    tokenId: sim.tokenId,
    tokenSecret: sim.tokenSecret,
    fingerprints: sim.fingerprints,
  });
  const logs = waitableLog();
  const adapter = new SlackAdapter({
    botToken: fake.botToken,
    ...(mode === 'http' ? { signingSecret: fake.signingSecret, port: 0 } : { appToken: fake.appToken }),
    apiUrl: fake.apiUrl,
    logger: logs.logger,
    userGroups: ['S0ONCALL'],
    // Short enough that a fast simulated migration still shows its progress as several edits.
    editIntervalMs: 50,
  });
  const app = await startChatOps({
    redis,
    prefix,
    pve,
    pveUser: sim.tokenId,
    policy: parsePolicy(POLICY, 'slack e2e policy'),
    adapters: [adapter],
    logger: logs.logger,
    worker: { concurrency: 4, lockMs: 30_000 },
    consumer: 'test',
  });
  const target = mode === 'http' ? { url: `http://127.0.0.1:${adapter.port}/slack/events` } : 'socket';
  return {
    mode,
    fake,
    sim,
    app,
    adapter,
    logs,
    target,
    command: (text, userId = ALICE) =>
      fake.slashCommand(target, { command: '/pve', text, userId, channelId: CHANNEL }),
    async stop() {
      await app.stop();
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.unlink(...keys);
      redis.disconnect();
      await pve.close();
      await sim.stop();
      await fake.stop();
    },
  };
}

let chat: SlackChat | undefined;
afterEach(async () => {
  await chat?.stop();
  chat = undefined;
});

/** The top-level request message a command by `userId` posted, once it exists. */
function requestMessage(c: SlackChat, pattern: RegExp): Promise<FakeMessage> {
  return c.fake.waitFor(() => c.fake.messages(CHANNEL).find((m) => pattern.test(m.text ?? '')));
}

function hasButton(message: FakeMessage | undefined, actionId: string): boolean {
  return findButton(message?.blocks, actionId) !== undefined;
}

function qmigrateTasks(c: SlackChat): number {
  return c.sim.cluster.tasks.all().filter((task) => task.record.type === 'qmigrate').length;
}

/** Everything the bot sent Slack: Web API parameters and response_url bodies, as one string. */
function everythingSent(fake: FakeSlack): string {
  return JSON.stringify([fake.calls().map((call) => call.params), fake.responses().map((r) => r.body)]);
}

/**
 * A new click on a card as it was when `delivery` was made (a stale copy of the card, still with
 * its buttons on someone's screen): the same payload, a new trigger_id, freshly signed.
 */
async function clickStaleCard(c: SlackChat, delivery: FakeDelivery): Promise<number> {
  const payload = { ...delivery.payload, trigger_id: `${Date.now()}.1.${randomUUID().replace(/-/g, '')}` };
  if (c.target === 'socket') {
    // FakeSlack has no public "deliver this payload"; its Socket Mode server sends any envelope we hand it.
    const sockets = (c.fake as unknown as { sockets: SocketModeServer }).sockets;
    await sockets.deliver('interactive', payload, c.fake.ackTimeoutMs);
    return 200;
  }
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  const timestamp = Math.floor(Date.now() / 1000);
  const response = await fetch(c.target.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': signRequest(c.fake.signingSecret, timestamp, body),
    },
    body,
  });
  await response.text();
  return response.status;
}

describe.each<Mode>(['http', 'socket'])('Slack end to end (%s)', (mode) => {
  it('migrates TestVM to node03 after the on-call group approves, once, and refuses self-approval', async () => {
    const c = await startSlackChat(mode);
    chat = c;
    const { fake } = c;

    const ack = await c.command('migrate TestVM node03');
    expect(ack.status).toBe(200);
    const request = await requestMessage(c, /ran `\/pve migrate TestVM node03`/);
    expect(request.text).toContain(`<@${ALICE}>`);

    // The approval card, in the request's thread, with its three buttons.
    const card = await fake.waitFor(() =>
      fake.thread(CHANNEL, request.ts).find((m) => hasButton(m, 'approve')),
    );
    expect(card.text).toContain('migrate TestVM (qemu/100) node01 → node03');
    for (const action of ['approve', 'deny', 'cancel-request']) expect(hasButton(card, action)).toBe(true);

    // alice approves her own request: refused, to her only, and nothing runs.
    await fake.clickButton(c.target, {
      userId: ALICE,
      channelId: CHANNEL,
      messageTs: card.ts,
      actionId: 'approve',
    });
    const refusal = await fake.waitFor(() =>
      fake.ephemerals(ALICE).find((e) => /Your click changed nothing/.test(e.text ?? '')),
    );
    expect(refusal.text).toMatch(/own request/i);
    expect(refusal.threadTs).toBe(request.ts);
    expect(await c.app.queue.list()).toEqual([]);
    expect(qmigrateTasks(c)).toBe(0);
    expect(hasButton(fake.message(CHANNEL, card.ts), 'approve')).toBe(true);

    // dave, in the on-call user group, approves.
    await fake.clickButton(c.target, {
      userId: DAVE,
      channelId: CHANNEL,
      messageTs: card.ts,
      actionId: 'approve',
    });
    const approved = await fake.waitFor(() => {
      const m = fake.message(CHANNEL, card.ts);
      return m && /Approved by dave/.test(m.text ?? '') ? m : undefined;
    });
    expect(approved.blocks?.some((block) => block.type === 'actions')).toBe(false);
    expect(hasButton(approved, 'approve')).toBe(false);

    // The result: a new reply in the thread, and the progress message edited in place.
    const result = await fake.waitFor(
      () =>
        fake
          .thread(CHANNEL, request.ts)
          .find((m) => m.text?.startsWith('✅ TestVM (qemu/100) now runs on node03')),
      20_000,
    );
    expect(result.edits).toEqual([]);
    expect(c.sim.cluster.guest(100)?.node).toBe('node03');
    const progress = fake.thread(CHANNEL, request.ts).find((m) => /^\S+ migrate · job /u.test(m.text ?? ''));
    expect(progress).toBeDefined();
    await fake.waitFor(() => fake.message(CHANNEL, progress!.ts)?.text?.startsWith('✅'));
    const progressEdits = fake.message(CHANNEL, progress!.ts)!.edits;
    expect(progressEdits.length).toBeGreaterThanOrEqual(2);
    expect(progressEdits.at(-1)?.text).toContain('TestVM (qemu/100) now runs on node03');
    expect(
      fake.thread(CHANNEL, request.ts).filter((m) => /^\S+ migrate · job /u.test(m.text ?? '')),
    ).toHaveLength(1);
    // The request message itself shows the outcome.
    await fake.waitFor(() => fake.message(CHANNEL, request.ts)?.text?.startsWith('✅'));

    // dave clicks Approve again. The card has no button any more, so Slack could not deliver it…
    await expect(
      fake.clickButton(c.target, {
        userId: DAVE,
        channelId: CHANNEL,
        messageTs: card.ts,
        actionId: 'approve',
      }),
    ).rejects.toThrow(/no button with action_id 'approve'/);
    // …but a replay of the first click (the very delivery again) is ignored altogether…
    const first = fake
      .deliveries()
      .find(
        (d) =>
          d.kind === 'interactive' &&
          (d.payload.user as { id: string }).id === DAVE &&
          (d.payload.actions as Array<{ action_id: string }>)[0]?.action_id === 'approve',
      );
    expect(first).toBeDefined();
    const clickedBlocks = (first!.payload.message as { blocks: Array<Record<string, unknown>> }).blocks;
    expect(findButton(clickedBlocks, 'approve')).toBeDefined();
    const ephemeralsBefore = fake.ephemerals(DAVE).length;
    expect((await fake.replay(c.target, first!)).status).toBe(200);
    await c.logs.waitFor(/request already handled; this arrival is ignored/);
    expect(fake.ephemerals(DAVE)).toHaveLength(ephemeralsBefore);
    // …and a new click on a stale copy of the card (its buttons still there) changes nothing.
    expect(await clickStaleCard(c, first!)).toBe(200);
    const closed = await fake.waitFor(() =>
      fake.ephemerals(DAVE).find((e) => /already closed/.test(e.text ?? '')),
    );
    expect(closed.text).toMatch(/approved/);
    expect(qmigrateTasks(c)).toBe(1);
    const jobs = await c.app.queue.list();
    expect(jobs).toHaveLength(1);
    expect(jobs[0]?.kind).toBe('migrate');
  });

  it('still lands the result when Slack rate-limits an edit (429, Retry-After 1 s)', async () => {
    const c = await startSlackChat(mode);
    chat = c;
    const { fake } = c;
    await c.command('migrate TestVM node03');
    const request = await requestMessage(c, /ran `\/pve migrate TestVM node03`/);
    const card = await fake.waitFor(() =>
      fake.thread(CHANNEL, request.ts).find((m) => hasButton(m, 'approve')),
    );

    fake.failNext('chat.update', { status: 429, retryAfterSeconds: 1 });
    await fake.clickButton(c.target, {
      userId: DAVE,
      channelId: CHANNEL,
      messageTs: card.ts,
      actionId: 'approve',
    });

    await fake.waitFor(
      () =>
        fake
          .thread(CHANNEL, request.ts)
          .find((m) => m.text?.startsWith('✅ TestVM (qemu/100) now runs on node03')),
      20_000,
    );
    expect(fake.calls('chat.update').some((call) => call.status === 429)).toBe(true);
    // The rate-limited edit was written after all: the card shows the approval, the progress its end.
    await fake.waitFor(() => /Approved by dave/.test(fake.message(CHANNEL, card.ts)?.text ?? ''));
    const progress = fake.thread(CHANNEL, request.ts).find((m) => /^\S+ migrate · job /u.test(m.text ?? ''));
    await fake.waitFor(() => fake.message(CHANNEL, progress!.ts)?.text?.startsWith('✅'));
    expect(c.sim.cluster.guest(100)?.node).toBe('node03');
  });

  it('posts the status digest asked for in its thread, with the chart uploaded beside it', async () => {
    const c = await startSlackChat(mode);
    chat = c;
    const { fake } = c;
    await c.command('digest');
    const request = await requestMessage(c, /ran `\/pve digest`/);
    const digest = await fake.waitFor(
      () => fake.thread(CHANNEL, request.ts).find((m) => /MonCluster/.test(m.text ?? '')),
      20_000,
    );
    // The cluster line, there whatever else the digest finds (the simulator's backup history is flagged).
    expect(digest.text).toMatch(/Quorate, 3\/3 votes/);
    const [chart] = await fake.waitFor(() => {
      const files = fake.files(CHANNEL).filter((f) => f.threadTs === request.ts);
      return files.length > 0 ? files : undefined;
    });
    expect(chart!.name).toMatch(/^cluster-\d{4}-\d{2}-\d{2}\.png$/);
    expect(chart!.altText).toMatch(/^CPU and memory per node: node01 CPU \d+ %/);
    const png = PNG.sync.read(chart!.bytes);
    expect([png.width, png.height]).toEqual([1000, 500]);
  });

  it('answers an unknown VM with a suggestion, to the requester only', async () => {
    const c = await startSlackChat(mode);
    chat = c;
    const { fake } = c;
    await c.command('migrate TestVN node03');
    const answer = await fake.waitFor(() =>
      fake.ephemerals(ALICE).find((e) => /Did you mean/.test(e.text ?? '')),
    );
    expect(answer.text).toContain('TestVM');
    expect(answer.channel).toBe(CHANNEL);
    expect(await c.app.queue.list()).toEqual([]);
    expect(fake.ephemerals(DAVE)).toEqual([]);
  });

  it('never lets `<!channel>` typed in a command reach Slack unescaped', async () => {
    const c = await startSlackChat(mode);
    chat = c;
    const { fake } = c;
    await c.command('migrate <!channel> node03');
    await fake.waitFor(() => fake.ephemerals(ALICE)[0]);
    await c.command('<!channel> everyone look');
    await fake.waitFor(() => fake.ephemerals(ALICE)[1]);
    await c.command('migrate TestVM <!channel>');
    await fake.waitFor(() => fake.ephemerals(ALICE)[2]);
    await c.adapter.idle();

    // Each was answered to alice alone: none got as far as a public message.
    expect(fake.messages(CHANNEL)).toEqual([]);
    const recorded = JSON.stringify([
      fake.messages(CHANNEL),
      fake.messages(CHANNEL).flatMap((m) => fake.thread(CHANNEL, m.ts)),
      fake.ephemerals(ALICE),
    ]);
    expect(recorded).toContain('&lt;!channel&gt;');
    expect(recorded).not.toContain('<!channel>');
    expect(everythingSent(fake)).not.toContain('<!channel>');
  });
});

describe('Slack end to end (http): request signatures', () => {
  it('rejects a forged signature and a 6-minute-old timestamp with 401, and runs nothing', async () => {
    const c = await startSlackChat('http');
    chat = c;
    const { fake } = c;
    const input: SlashCommandInput = {
      command: '/pve',
      text: 'migrate TestVM node03',
      userId: ALICE,
      channelId: CHANNEL,
    };

    // The simulator's seeded history (last night's backups) is there from the start.
    const seededTasks = c.sim.cluster.tasks.all().length;
    expect((await fake.slashCommand(c.target, input, { badSignature: true })).status).toBe(401);
    expect((await fake.slashCommand(c.target, input, { timestampSkewSeconds: -360 })).status).toBe(401);

    // A signed command afterwards goes through: once it is answered, the forged ones would have been too.
    expect((await c.command('help')).status).toBe(200);
    await fake.waitFor(() => fake.ephemerals(ALICE)[0]);
    await c.adapter.idle();
    expect(fake.ephemerals(ALICE)).toHaveLength(1);
    for (const message of fake.messages(CHANNEL)) expect(message.text).toBe(`<@${ALICE}> ran \`/pve help\``);
    expect(await c.app.queue.list()).toEqual([]);
    expect(c.sim.cluster.tasks.all()).toHaveLength(seededTasks);
  });
});
