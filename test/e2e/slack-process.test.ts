// Slack through the real process, in both modes: `pve-chatops all` from the compiled build, as the
// README runs it, against the fake Slack (Web API, signed HTTP deliveries, Socket Mode) and the
// simulator, with a policy file of its own. A command approved by someone else, its progress, its
// result, the digest with its picture; and what the black-box review found: a replayed request
// runs once, a request dated in the future is refused, another workspace runs nothing, a refused
// command leaves no public trace, GET /slack/events is 405, and /metrics is not on the Slack port.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FOREIGN_WORKSPACE_TEXT } from '../../src/bots/slack/slack-adapter.js';
import { createRedis } from '../../src/jobs/redis-connection.js';
import { silentLogger } from '../../src/logger.js';
import { type RunningSimulator, type SimCluster, startSimulator } from '../../src/sim/simulator.js';
import { findButton } from '../fakes/slack/build-payloads.js';
import { FakeSlack } from '../fakes/slack/fake-slack.js';
import type { DeliveryTarget, FakeMessage } from '../fakes/slack/types.js';
import { type CompiledCli, startCompiledCli } from './helpers/compiled-cli.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const ALICE = 'U1';
const DAVE = 'U2';
/** In the workspace, named by no role: refused whatever they ask. */
const MALLORY = 'U3';
/** A guest from another company in a shared channel. */
const GUEST = 'U9';
const OTHER_TEAM = 'T0OTHER';

const POLICY = `
roles:
  oncall:
    members: ['slack-group:S0ONCALL']
  operators:
    members: ['slack:${ALICE}', 'slack:${DAVE}']
commands:
  '*':
    allow: [operators]
    approval:
      approvers: [oncall]
      count: 1
      ttl: 30m
  status:
    allow: [everyone]
  digest:
    allow: [operators]
  stop:
    allow: [operators]
    approval: none
`;

type Mode = 'http' | 'socket';

interface SlackProcess {
  fake: FakeSlack;
  sim: RunningSimulator<SimCluster>;
  cli: CompiledCli;
  target: DeliveryTarget;
  /** HTTP mode: the public port (Slack, /healthz) and the ops listener's. */
  port?: number;
  opsPort?: number;
  prefix: string;
}

/** The fields of the first JSON log line whose message is `message` and that `matches`. */
async function logLine(
  cli: CompiledCli,
  message: string,
  matches: (fields: Record<string, unknown>) => boolean,
): Promise<Record<string, unknown>> {
  await cli.waitFor(new RegExp(`"msg":"${message}"`), message);
  const lines = cli
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  const found = lines.find((fields) => fields.msg === message && matches(fields));
  if (!found) throw new Error(`no '${message}' line matches:\n${cli.output().slice(-4000)}`);
  return found;
}

async function startSlackProcess(mode: Mode): Promise<SlackProcess> {
  const fake = await FakeSlack.start();
  fake.setUser(ALICE, 'alice');
  fake.setUser(DAVE, 'dave');
  fake.setUser(MALLORY, 'mallory');
  fake.setUser(GUEST, 'guest');
  fake.setUserGroup('S0ONCALL', [DAVE]);
  const sim = await startSimulator({ port: 0, speed: 50, authFailureDelayMs: 0 });
  const policyFile = join(mkdtempSync(join(tmpdir(), 'pve-chatops-policy-')), 'policy.yml');
  writeFileSync(policyFile, POLICY);
  const prefix = `test-slack-process-${mode}-${randomUUID()}`;
  const cli = startCompiledCli(['all'], {
    ...sim.env(),
    SLACK_BOT_TOKEN: fake.botToken,
    ...(mode === 'http' ? { SLACK_SIGNING_SECRET: fake.signingSecret } : { SLACK_APP_TOKEN: fake.appToken }),
    SLACK_API_URL: fake.apiUrl,
    POLICY_FILE: policyFile,
    REDIS_URL,
    REDIS_PREFIX: prefix,
    PORT: '0',
    // /metrics on a listener of its own, on loopback: never on the port Slack reaches.
    OPS_PORT: '0',
    DIGEST_CRON: 'off',
  });
  await cli.waitFor(/pve-chatops ready/, 'ready');
  const main = await logLine(cli, 'ops server listening', (f) => f.host === '*');
  const ops = await logLine(cli, 'ops server listening', (f) => f.host === '127.0.0.1');
  const port = Number(main.port);
  const target: DeliveryTarget =
    mode === 'http' ? { url: `http://127.0.0.1:${port}/slack/events` } : 'socket';
  return { fake, sim, cli, target, port, opsPort: Number(ops.port), prefix };
}

async function stopSlackProcess(p: SlackProcess | undefined): Promise<void> {
  if (!p) return;
  await p.cli.stop();
  await p.sim.stop();
  await p.fake.stop();
  const redis = createRedis(REDIS_URL, silentLogger, 'test');
  const keys = await redis.keys(`${p.prefix}*`);
  if (keys.length > 0) await redis.unlink(...keys);
  redis.disconnect();
}

/** A failure the process reports ends the wait at once, with its log line. */
function orFailure<T>(p: SlackProcess, waiting: Promise<T>): Promise<T> {
  const failed = p.cli
    .waitFor(/outbox handler failed|the core failed|Slack listener failed/, 'a failure')
    .then((line) => {
      throw new Error(`the process failed: ${line}`);
    });
  failed.catch(() => undefined);
  return Promise.race([waiting, failed]);
}

function tasksOf(p: SlackProcess, type: string): number {
  return p.sim.cluster.tasks.all().filter((task) => task.record.type === type).length;
}

function requestMessage(p: SlackProcess, channel: string, pattern: RegExp): Promise<FakeMessage> {
  return orFailure(
    p,
    p.fake.waitFor(() => p.fake.messages(channel).find((m) => pattern.test(m.text ?? ''))),
  );
}

describe.each<Mode>(['http', 'socket'])('pve-chatops all on Slack, %s mode (compiled process)', (mode) => {
  let p: SlackProcess;
  // Room for a loaded machine: the process starts, then each test waits on events, not on time.
  beforeAll(async () => {
    p = await startSlackProcess(mode);
  }, 60_000);
  afterAll(async () => {
    await stopSlackProcess(p);
  });

  it('migrates after another person approves: the card, the button, progress and the result', async () => {
    const channel = 'C1';
    const { fake } = p;
    await fake.slashCommand(p.target, {
      command: '/pve',
      text: 'migrate TestVM node03',
      userId: ALICE,
      channelId: channel,
    });
    const request = await requestMessage(p, channel, /^<@U1> ran `\/pve migrate TestVM node03`$/);
    const card = await orFailure(
      p,
      fake.waitFor(() => fake.thread(channel, request.ts).find((m) => findButton(m.blocks, 'approve'))),
    );
    expect(card.text).toContain('migrate TestVM (qemu/100) node01 → node03');

    // A guest of another company clicks Approve in the shared channel: told so, nothing changes.
    await fake.clickButton(p.target, {
      userId: GUEST,
      channelId: channel,
      messageTs: card.ts,
      actionId: 'approve',
      teamId: OTHER_TEAM,
    });
    const told = await fake.waitFor(() => fake.ephemerals(GUEST)[0]);
    expect(told.text).toBe(FOREIGN_WORKSPACE_TEXT);
    expect(findButton(fake.message(channel, card.ts)?.blocks, 'approve')).toBeDefined();

    await fake.clickButton(p.target, {
      userId: DAVE,
      channelId: channel,
      messageTs: card.ts,
      actionId: 'approve',
    });
    await orFailure(
      p,
      fake.waitFor(() => /Approved by dave/.test(fake.message(channel, card.ts)?.text ?? '')),
    );
    const result = await orFailure(
      p,
      fake.waitFor(
        () =>
          fake
            .thread(channel, request.ts)
            .find((m) => m.text?.startsWith('✅ TestVM (qemu/100) now runs on node03')),
        30_000,
      ),
    );
    expect(result.edits).toEqual([]);
    expect(p.sim.cluster.guest(100)?.node).toBe('node03');
    // Progress: one message, edited in place up to the result.
    const progress = fake
      .thread(channel, request.ts)
      .filter((m) => /^\S+ migrate · job /u.test(m.text ?? ''));
    expect(progress).toHaveLength(1);
    await fake.waitFor(() => fake.message(channel, progress[0]!.ts)?.text?.startsWith('✅'));
    expect(fake.message(channel, progress[0]!.ts)!.edits.length).toBeGreaterThanOrEqual(1);
    // The request line shows the outcome.
    await fake.waitFor(() => fake.message(channel, request.ts)?.text?.startsWith('✅'));
    expect(tasksOf(p, 'qmigrate')).toBe(1);
  }, 60_000);

  it('posts the digest with its chart: the PNG uploaded through files.getUploadURLExternal', async () => {
    const channel = 'C2';
    const { fake } = p;
    await fake.slashCommand(p.target, { command: '/pve', text: 'digest', userId: ALICE, channelId: channel });
    const request = await requestMessage(p, channel, /ran `\/pve digest`/);
    const digest = await orFailure(
      p,
      fake.waitFor(
        () => fake.thread(channel, request.ts).find((m) => /MonCluster/.test(m.text ?? '')),
        30_000,
      ),
    );
    // The cluster line, there whatever else the digest finds (the simulator's backup history is flagged).
    expect(digest.text).toMatch(/Quorate, 3\/3 votes/);
    const chart = await orFailure(
      p,
      fake.waitFor(() => fake.files(channel).find((f) => f.threadTs === request.ts)),
    );
    expect(chart.name).toMatch(/^cluster-\d{4}-\d{2}-\d{2}\.png$/);
    expect(chart.mimetype).toBe('image/png');
    expect(chart.altText).toMatch(/^CPU and memory per node: node01 CPU \d+ %/);
    const png = PNG.sync.read(chart.bytes);
    expect([png.width, png.height]).toEqual([1000, 500]);
    const upload = fake.calls('files.getUploadURLExternal').find((c) => c.params.filename === chart.name);
    expect(Number(upload?.params.length)).toBe(chart.bytes.length);
    expect(fake.calls('files.completeUploadExternal').some((c) => c.params.thread_ts === request.ts)).toBe(
      true,
    );
  }, 60_000);

  it('runs a replayed command once: the same delivery again stops the guest no second time', async () => {
    const channel = 'C3';
    const { fake } = p;
    await fake.slashCommand(p.target, {
      command: '/pve',
      text: 'stop TestVM',
      userId: ALICE,
      channelId: channel,
    });
    const request = await requestMessage(p, channel, /ran `\/pve stop TestVM`/);
    await orFailure(
      p,
      fake.waitFor(() => fake.message(channel, request.ts)?.text?.startsWith('✅'), 30_000),
    );
    expect(tasksOf(p, 'qmstop')).toBe(1);

    const delivery = fake
      .deliveries()
      .find((d) => d.kind === 'slash_commands' && d.payload.text === 'stop TestVM');
    expect((await fake.replay(p.target, delivery!)).status).toBe(200);
    const ignored = await logLine(
      p.cli,
      'request already handled; this arrival is ignored',
      (f) => f.requestId === `slack:trigger:${delivery!.payload.trigger_id}`,
    );
    expect(ignored.user).toBe(`slack:${ALICE}`);
    expect(tasksOf(p, 'qmstop')).toBe(1);
    expect(fake.messages(channel)).toHaveLength(1);
  }, 60_000);

  it('runs nothing for a workspace it does not serve, though the policy lets everyone read', async () => {
    const channel = 'C4';
    const { fake } = p;
    const statusJobs = () => fake.calls('chat.postMessage').filter((c) => c.params.channel === channel);
    const ack = await fake.slashCommand(p.target, {
      command: '/pve',
      text: 'status',
      userId: GUEST,
      channelId: channel,
      teamId: OTHER_TEAM,
    });
    expect(ack.status).toBe(200);
    const told = await fake.waitFor(() => fake.ephemerals(GUEST).find((e) => e.channel === channel));
    expect(told.text).toBe(FOREIGN_WORKSPACE_TEXT);
    const logged = await logLine(
      p.cli,
      'a Slack command from a workspace not served; nothing run',
      () => true,
    );
    expect(logged.teamIds).toEqual([OTHER_TEAM]);
    expect(statusJobs()).toEqual([]);
    expect(fake.messages(channel)).toEqual([]);
  });

  it('answers a refused command privately and leaves no public message', async () => {
    const channel = 'C5';
    const { fake } = p;
    await fake.slashCommand(p.target, {
      command: '/pve',
      text: 'stop TestVM',
      userId: MALLORY,
      channelId: channel,
    });
    const refusal = await orFailure(
      p,
      fake.waitFor(() => fake.ephemerals(MALLORY)[0]),
    );
    expect(refusal.text).toMatch(/may not run stop/);
    expect(refusal.channel).toBe(channel);
    expect(fake.messages(channel)).toEqual([]);
    expect(JSON.stringify(fake.calls('chat.postMessage').map((c) => c.params))).not.toContain(
      `<@${MALLORY}>`,
    );
  });

  it.runIf(mode === 'http')(
    'refuses a request dated in the future with 401, and other methods with 405',
    async () => {
      const { fake } = p;
      const url = (p.target as { url: string }).url;
      const before = tasksOf(p, 'qmstart');
      const ahead = await fake.slashCommand(
        p.target,
        { command: '/pve', text: 'start TestVM', userId: ALICE, channelId: 'C6' },
        { timestampSkewSeconds: 600 },
      );
      expect(ahead.status).toBe(401);
      await logLine(p.cli, 'refused a request to /slack/events', (f) => f.status === 401);
      for (const method of ['GET', 'HEAD']) {
        const response = await fetch(url, { method });
        expect(response.status, method).toBe(405);
        expect(response.headers.get('allow'), method).toBe('POST');
      }
      expect(fake.messages('C6')).toEqual([]);
      expect(fake.ephemerals(ALICE).filter((e) => e.channel === 'C6')).toEqual([]);
      expect(tasksOf(p, 'qmstart')).toBe(before);
    },
  );

  it('serves /metrics on the ops listener only, never on the port Slack reaches', async () => {
    const main = `http://127.0.0.1:${p.port}`;
    expect((await fetch(`${main}/metrics`)).status).toBe(404);
    expect((await fetch(`${main}/healthz`)).status).toBe(200);
    const metrics = await fetch(`http://127.0.0.1:${p.opsPort}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('# TYPE pve_chatops_commands_total counter');
  });
});
