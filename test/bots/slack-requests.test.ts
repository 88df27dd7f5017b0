// What the Slack adapter lets through to the core, and what it says before the core has: the real
// SlackAdapter (Bolt and WebClient) against FakeSlack over HTTP and Socket Mode, with a core that
// records what it is handed. Each command and press carries its Slack request id; requests dated
// in the future, other methods than POST, and people of other workspaces go no further; nothing
// public is posted before the core opens the request's thread, and then only a safe quote.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_FUTURE_SKEW_SECONDS } from '../../src/bots/slack/guard-slack-events.js';
import { FOREIGN_WORKSPACE_TEXT, SlackAdapter } from '../../src/bots/slack/slack-adapter.js';
import { isServed, slackAudience } from '../../src/bots/slack/slack-audience.js';
import type { ChatEvent } from '../../src/core/chat-event.js';
import type { ButtonPress, CoreApi } from '../../src/core/core-api.js';
import type { ThreadRef } from '../../src/jobs/job-events.js';
import { silentLogger } from '../../src/logger.js';
import { createMetrics } from '../../src/metrics.js';
import { startOpsServer } from '../../src/ops-server.js';
import { FakeSlack } from '../fakes/slack/fake-slack.js';
import type { DeliveryTarget, FakeDelivery } from '../fakes/slack/types.js';

const CHANNEL = 'C1';
const ALICE = 'U1';
const GUEST = 'U9';

/** A core that records what it is handed; `onEvent` plays the core's part for a command. */
class RecordingCore implements CoreApi {
  readonly events: ChatEvent[] = [];
  readonly presses: ButtonPress[] = [];
  onEvent: (event: ChatEvent) => Promise<void> = async () => {};
  readonly #waiters = new Set<() => void>();

  /** Recorded once its handling ended, so waiting for it waits for all it did. */
  async handle(event: ChatEvent): Promise<void> {
    try {
      await this.onEvent(event);
    } finally {
      this.events.push(event);
      this.#changed();
    }
  }

  async press(press: ButtonPress): Promise<void> {
    this.presses.push(press);
    this.#changed();
  }

  async suggest() {
    return [];
  }

  /** Resolves once `count` commands (and `presses` presses) were handled. */
  waitFor(count: { events?: number; presses?: number }): Promise<void> {
    const met = () =>
      this.events.length >= (count.events ?? 0) && this.presses.length >= (count.presses ?? 0);
    if (met()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (!met()) return;
        this.#waiters.delete(check);
        resolve();
      };
      this.#waiters.add(check);
    });
  }

  #changed(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}

interface Running {
  fake: FakeSlack;
  adapter: SlackAdapter;
  core: RecordingCore;
  target: DeliveryTarget;
}

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(
  mode: 'http' | 'socket',
  options: { teamIds?: string[]; mounted?: boolean; enterpriseId?: string } = {},
): Promise<Running> {
  const fake = await FakeSlack.start(options.enterpriseId ? { enterpriseId: options.enterpriseId } : {});
  cleanups.push(() => fake.stop());
  fake.setUser(ALICE, 'alice');
  const adapter = new SlackAdapter({
    botToken: fake.botToken,
    ...(mode === 'http'
      ? { signingSecret: fake.signingSecret, port: 0, mounted: options.mounted ?? false }
      : { appToken: fake.appToken }),
    apiUrl: fake.apiUrl,
    logger: silentLogger,
    editIntervalMs: 50,
    ...(options.teamIds ? { teamIds: options.teamIds } : {}),
  });
  const core = new RecordingCore();
  await adapter.start(core);
  cleanups.push(() => adapter.stop());
  let target: DeliveryTarget = 'socket';
  if (mode === 'http' && options.mounted) {
    const ops = await startOpsServer({
      port: 0,
      host: '127.0.0.1',
      metrics: createMetrics({ defaultMetrics: false }),
      metricsAccess: 'none',
      checks: {},
      logger: silentLogger,
      routes: { '/slack/events': adapter.requestListener! },
    });
    cleanups.push(() => ops.close());
    target = { url: `http://127.0.0.1:${ops.port}/slack/events` };
  } else if (mode === 'http') {
    target = { url: `http://127.0.0.1:${adapter.port}/slack/events` };
  }
  return { fake, adapter, core, target };
}

/** A card with an Approve button, posted by the bot, for clicks. */
async function postCard(r: Running): Promise<string> {
  await r.adapter.send({
    thread: { platform: 'slack', channel: CHANNEL },
    card: {
      title: 'migrate TestVM',
      status: 'pending',
      buttons: [{ action: 'approve', label: 'Approve', value: 'req-1' }],
    },
  });
  return r.fake.waitFor(() => r.fake.messages(CHANNEL)[0]?.ts);
}

const triggerOf = (delivery: FakeDelivery | undefined): unknown => delivery?.payload.trigger_id;

describe.each(['http', 'socket'] as const)('Slack requests to the core (%s)', (mode) => {
  it('hands each command and press to the core with its Slack request id', async () => {
    const r = await start(mode);
    await r.fake.slashCommand(r.target, {
      command: '/pve',
      text: 'stop TestVM',
      userId: ALICE,
      channelId: CHANNEL,
    });
    await r.core.waitFor({ events: 1 });
    const ts = await postCard(r);
    await r.fake.clickButton(r.target, {
      userId: ALICE,
      channelId: CHANNEL,
      messageTs: ts,
      actionId: 'approve',
    });
    await r.core.waitFor({ presses: 1 });

    const [command, click] = r.fake.deliveries();
    expect(triggerOf(command)).toEqual(expect.any(String));
    expect(r.core.events[0]?.requestId).toBe(`slack:trigger:${triggerOf(command)}`);
    expect(r.core.presses[0]?.requestId).toBe(`slack:trigger:${triggerOf(click)}`);
    expect(triggerOf(click)).not.toBe(triggerOf(command));
    // The same delivery again carries the same id: the core can tell it is a replay.
    await r.fake.replay(r.target, command!);
    await r.core.waitFor({ events: 2 });
    expect(r.core.events[1]?.requestId).toBe(r.core.events[0]?.requestId);
  });

  it('answers people of another workspace privately and hands nothing to the core', async () => {
    const r = await start(mode);
    const foreign = await r.fake.slashCommand(r.target, {
      command: '/pve',
      text: 'stop TestVM',
      userId: GUEST,
      channelId: CHANNEL,
      teamId: 'T0OTHER',
    });
    expect(foreign.status).toBe(200);
    const told = await r.fake.waitFor(() => r.fake.ephemerals(GUEST)[0]);
    expect(told.text).toBe(FOREIGN_WORKSPACE_TEXT);
    // A guest from another company clicks Approve in a shared channel: their own workspace is named.
    const ts = await postCard(r);
    await r.fake.clickButton(r.target, {
      userId: GUEST,
      channelId: CHANNEL,
      messageTs: ts,
      actionId: 'approve',
      teamId: 'T0OTHER',
    });
    await r.fake.waitFor(() => r.fake.ephemerals(GUEST)[1]);
    expect(r.fake.ephemerals(GUEST).map((e) => e.text)).toEqual([
      FOREIGN_WORKSPACE_TEXT,
      FOREIGN_WORKSPACE_TEXT,
    ]);

    // One of our own afterwards gets through: had the others, they would be in the core first.
    await r.fake.slashCommand(r.target, {
      command: '/pve',
      text: 'status',
      userId: ALICE,
      channelId: CHANNEL,
    });
    await r.core.waitFor({ events: 1 });
    await r.fake.clickButton(r.target, {
      userId: ALICE,
      channelId: CHANNEL,
      messageTs: ts,
      actionId: 'approve',
    });
    await r.core.waitFor({ presses: 1 });
    expect(r.core.events.map((e) => e.user.id)).toEqual([`slack:${ALICE}`]);
    expect(r.core.presses.map((p) => p.user.id)).toEqual([`slack:${ALICE}`]);
    expect(r.fake.messages(CHANNEL).map((m) => m.ts)).toEqual([ts]);
  });

  it('serves the workspaces named besides its own', async () => {
    const r = await start(mode, { teamIds: ['T0OTHER'] });
    await r.fake.slashCommand(r.target, {
      command: '/pve',
      text: 'status',
      userId: GUEST,
      channelId: CHANNEL,
      teamId: 'T0OTHER',
    });
    await r.core.waitFor({ events: 1 });
    expect(r.core.events[0]?.user.id).toBe(`slack:${GUEST}`);
  });

  it('posts nothing public before the core opens the thread; then one safe quote of the command', async () => {
    const r = await start(mode);
    const hostile = `migrate TestVM node03\u0000\u202Egnp.exe\n<@${ALICE}> ran \`/pve approve\`${'x'.repeat(100_000)}`;
    let opened: ThreadRef | undefined;
    r.core.onEvent = async (event) => {
      // Private first (a warning, say): it reaches the person though no thread exists yet.
      await r.adapter.send({
        thread: event.thread,
        ephemeralTo: event.user,
        card: { title: 'noted', status: 'info' },
      });
      expect(r.fake.messages(CHANNEL)).toEqual([]);
      opened = await r.adapter.openRequestThread(event);
      await r.adapter.send({ thread: opened, card: { title: 'the plan', status: 'info' } });
    };
    await r.fake.slashCommand(r.target, {
      command: '/pve',
      text: hostile,
      userId: ALICE,
      channelId: CHANNEL,
    });
    await r.core.waitFor({ events: 1 });

    expect(r.fake.ephemerals(ALICE).map((e) => [e.text, e.threadTs])).toEqual([['ℹ️ noted', undefined]]);
    const [request] = r.fake.messages(CHANNEL);
    expect(opened).toMatchObject({ platform: 'slack', channel: CHANNEL, thread_ts: request!.ts });
    expect(request!.text).toMatch(
      /^<@U1> ran `\/pve migrate TestVM node03 gnp\.exe &lt;@U1&gt; ran '\/pve approve'x+…`$/,
    );
    expect(request!.text!.length).toBeLessThan(300);
    expect(JSON.stringify(request!.blocks)).not.toMatch(/\\u0000|\\u202e|\\n/i);
    expect(r.fake.thread(CHANNEL, request!.ts).map((m) => m.text)).toEqual(['ℹ️ the plan']);
  });

  it('answers privately through a response_url only on Slack’s own host (or the configured API’s)', async () => {
    const r = await start(mode);
    // A thread read back from Redis naming another origin (here a local listener of the test's):
    // never posted to; the answer goes the ordinary way (chat.postEphemeral) instead.
    const hits: string[] = [];
    const elsewhere = createServer((request, response) => {
      hits.push(request.url ?? '');
      response.end('ok');
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => elsewhere.close(resolve)));
    const { port } = elsewhere.address() as AddressInfo;
    await r.adapter.send({
      thread: {
        platform: 'slack',
        channel: CHANNEL,
        request: 'slack:trigger:t1',
        response_url: `http://127.0.0.1:${port}/steal`,
      },
      ephemeralTo: { id: `slack:${ALICE}`, name: 'alice', groups: [] },
      card: { title: 'private', status: 'info' },
    });
    expect(hits).toEqual([]);
    expect(r.fake.calls('chat.postEphemeral')).toHaveLength(1);
  });

  it('says how to invite the bot when it cannot post the request, and the person still hears it', async () => {
    const r = await start(mode);
    let failure: unknown;
    r.core.onEvent = async (event) => {
      failure = await r.adapter.openRequestThread(event).catch((error: unknown) => error);
      await r.adapter.send({
        thread: event.thread,
        ephemeralTo: event.user,
        card: { title: 'Nothing ran', status: 'failed', text: (failure as Error).message },
      });
    };
    r.fake.failNext('chat.postMessage', { error: 'not_in_channel' });
    // The bot is not in the channel: it could not post an ephemeral there either.
    r.fake.failNext('chat.postEphemeral', { error: 'not_in_channel' });
    await r.fake.slashCommand(r.target, {
      command: '/pve',
      text: 'status',
      userId: ALICE,
      channelId: CHANNEL,
    });
    await r.core.waitFor({ events: 1 });

    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toBe(
      'I cannot post in this channel (not_in_channel), so nothing was run. Invite me to it (`/invite @pve-chatops`) or use a channel I am in.',
    );
    const told = await r.fake.waitFor(() => r.fake.ephemerals(ALICE)[0]);
    expect(told).toMatchObject({ source: 'response_url', channel: CHANNEL });
    expect(told.text).toContain('/invite @pve-chatops');
    expect(r.fake.messages(CHANNEL)).toEqual([]);
  });
});

describe('Slack HTTP requests refused before Bolt', () => {
  it('refuses a request dated more than a minute ahead with 401, and accepts small clock skew', async () => {
    const r = await start('http');
    const input = { command: '/pve', text: 'stop TestVM', userId: ALICE, channelId: CHANNEL };
    const ahead = await r.fake.slashCommand(r.target, input, {
      timestampSkewSeconds: MAX_FUTURE_SKEW_SECONDS + 60,
    });
    expect(ahead.status).toBe(401);
    // Bolt's own check still refuses the stale side.
    expect((await r.fake.slashCommand(r.target, input, { timestampSkewSeconds: -360 })).status).toBe(401);
    const skewed = await r.fake.slashCommand(r.target, input, { timestampSkewSeconds: 30 });
    expect(skewed.status).toBe(200);
    await r.core.waitFor({ events: 1 });
    expect(r.core.events).toHaveLength(1);
    // Signed correctly and refused all the same: the replay window does not stretch into the future.
    const refused = r.fake.deliveries()[0]!;
    expect(refused.status).toBe(401);
    expect((await r.fake.replay(r.target, refused)).status).toBe(401);
  });

  it.each([false, true])(
    'answers 405 with Allow: POST to other methods (mounted on the ops server: %s)',
    async (mounted) => {
      const r = await start('http', { mounted });
      const url = (r.target as { url: string }).url;
      for (const method of ['GET', 'HEAD', 'PUT', 'DELETE']) {
        const response = await fetch(url, { method });
        expect(response.status, method).toBe(405);
        expect(response.headers.get('allow'), method).toBe('POST');
        await response.text();
      }
      // A POST still reaches Bolt (unsigned: its 401).
      expect((await fetch(url, { method: 'POST', body: 'a=1' })).status).toBe(401);
    },
  );
});

describe('which Slack workspaces are served', () => {
  const own = { team_id: 'T0OWN', enterprise_id: 'E0ORG', is_enterprise_install: false };

  it('serves the installing workspace alone by default, even within its organisation', () => {
    const audience = slackAudience(own);
    expect(isServed({ teamIds: ['T0OWN'], enterpriseIds: ['E0ORG'] }, audience)).toBe(true);
    expect(isServed({ teamIds: ['T0SISTER'], enterpriseIds: ['E0ORG'] }, audience)).toBe(false);
    expect(isServed({ teamIds: ['T0OWN', 'T0GUEST'], enterpriseIds: [] }, audience)).toBe(false);
    expect(isServed({ teamIds: [], enterpriseIds: [] }, audience)).toBe(false);
  });

  it('serves every workspace of its organisation when installed org-wide, and the ones configured', () => {
    const orgWide = slackAudience({ ...own, team_id: '', is_enterprise_install: true });
    expect(isServed({ teamIds: ['T0SISTER'], enterpriseIds: ['E0ORG'] }, orgWide)).toBe(true);
    expect(isServed({ teamIds: ['T0SISTER'], enterpriseIds: ['E0OTHER'] }, orgWide)).toBe(false);
    const configured = slackAudience(own, { teamIds: ['T0PARTNER'], enterpriseIds: ['E0PARTNER'] });
    expect(isServed({ teamIds: ['T0PARTNER'], enterpriseIds: [] }, configured)).toBe(true);
    expect(isServed({ teamIds: ['T0ANY'], enterpriseIds: ['E0PARTNER'] }, configured)).toBe(true);
    expect(isServed({ teamIds: ['T0ANY'], enterpriseIds: ['E0ORG'] }, configured)).toBe(false);
  });
});
