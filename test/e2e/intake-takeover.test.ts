// A bot replica killed between its acknowledgement and its reply: another replica answers, once.
// The compiled processes as the README runs them: two `pve-chatops bot` replicas in Slack HTTP
// mode, each on its own port, sharing Redis and REDIS_PREFIX, and one `pve-chatops worker`,
// against the fake Slack and the simulator. INTAKE_CLAIM_IDLE_MS=1000: a dead replica's entry is
// another's about a second after its last claim refresh.
//
// Deterministic by events, never by elapsed time:
// - replica A is the only consumer when the command is sent, so A takes the entry; the fake holds
//   the first Web API call A's handling makes for it (the request message's chat.postMessage), so
//   A is then waiting on Slack, its ack given and its reply not;
// - replica B starts (A keeps refreshing its claim meanwhile), A is killed with SIGKILL, and the
//   held call is dropped: it never reached Slack;
// - B takes the entry over once A's claim has been idle for INTAKE_CLAIM_IDLE_MS and handles it.
// A second case holds A's first message in the request's thread instead: A had posted the request
// message (and written its ts down) and queued the job; B goes on in that thread, queues nothing.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis } from '../../src/jobs/redis-connection.js';
import { silentLogger } from '../../src/logger.js';
import { type RunningSimulator, type SimCluster, startSimulator } from '../../src/sim/simulator.js';
import { FakeSlack } from '../fakes/slack/fake-slack.js';
import { type CompiledCli, startCompiledCli } from './helpers/compiled-cli.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const ALICE = 'U1';
const CHANNEL = 'C0TAKEOVER';
const REQUEST = /^<@U1> ran `\/pve stop TestVM`$/;

const POLICY = `
roles:
  operators:
    members: ['slack:${ALICE}']
commands:
  status:
    allow: [everyone]
  stop:
    allow: [operators]
    approval: none
`;

/** The port a bot's public listener took (PORT=0), from its log. */
async function publicPort(cli: CompiledCli): Promise<number> {
  await cli.waitFor(/pve-chatops ready/, 'ready');
  const line = cli
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .find((f) => f.msg === 'ops server listening' && f.host === '*');
  if (!line) throw new Error(`no public listener in the log:\n${cli.output().slice(-4000)}`);
  return Number(line.port);
}

describe('two bot replicas and a worker (compiled processes): a replica killed mid-command', () => {
  let fake: FakeSlack;
  let sim: RunningSimulator<SimCluster>;
  let env: Record<string, string | undefined>;
  const processes: CompiledCli[] = [];
  const bots: CompiledCli[] = [];
  const prefix = `test-intake-takeover-${randomUUID()}`;

  const start = (command: 'bot' | 'worker'): CompiledCli => {
    const cli = startCompiledCli([command], env);
    processes.push(cli);
    if (command === 'bot') bots.push(cli);
    return cli;
  };

  beforeAll(async () => {
    fake = await FakeSlack.start();
    fake.setUser(ALICE, 'alice');
    sim = await startSimulator({ port: 0, speed: 50, authFailureDelayMs: 0 });
    const policyFile = join(mkdtempSync(join(tmpdir(), 'pve-chatops-policy-')), 'policy.yml');
    writeFileSync(policyFile, POLICY);
    env = {
      ...sim.env(),
      SLACK_BOT_TOKEN: fake.botToken,
      SLACK_SIGNING_SECRET: fake.signingSecret,
      SLACK_API_URL: fake.apiUrl,
      POLICY_FILE: policyFile,
      REDIS_URL,
      REDIS_PREFIX: prefix,
      PORT: '0',
      DIGEST_CRON: 'off',
      INTAKE_CLAIM_IDLE_MS: '1000',
    };
    await start('worker').waitFor(/worker ready/, 'worker ready');
  }, 60_000);

  afterAll(async () => {
    for (const cli of processes.reverse()) await cli.stop();
    await sim?.stop();
    await fake?.stop();
    const redis = createRedis(REDIS_URL, silentLogger, 'test');
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.unlink(...keys);
    redis.disconnect();
  }, 60_000);

  it('answers through replica B once: one request message, one result, one qmstop', async () => {
    const replicaA = start('bot');
    const portA = await publicPort(replicaA);
    const held = fake.holdNext(
      'chat.postMessage',
      (params) => params.channel === CHANNEL && REQUEST.test(String(params.text ?? '')),
    );
    const ack = await fake.slashCommand(
      { url: `http://127.0.0.1:${portA}/slack/events` },
      { command: '/pve', text: 'stop TestVM', userId: ALICE, channelId: CHANNEL },
    );
    expect(ack.status).toBe(200);
    // A took the entry and waits on Slack: acknowledged, not answered.
    await held.received;
    const replicaB = start('bot');
    const portB = await publicPort(replicaB);
    expect(portB).not.toBe(portA);
    replicaA.child.kill('SIGKILL');
    await replicaA.exited;
    held.drop();

    const request = await fake.waitFor(
      () => fake.messages(CHANNEL).find((m) => REQUEST.test(m.text ?? '')),
      60_000,
    );
    await fake.waitFor(() => fake.message(CHANNEL, request.ts)?.text?.startsWith('✅'), 60_000);
    const result = await fake.waitFor(
      () => fake.thread(CHANNEL, request.ts).find((m) => m.text?.startsWith('✅')),
      60_000,
    );
    expect(result.text).toBe('✅ TestVM (qemu/100) stopped on node01');
    expect(replicaB.child.exitCode).toBeNull();
    expect(fake.messages(CHANNEL)).toHaveLength(1);
    expect(
      fake.calls('chat.postMessage').filter((c) => REQUEST.test(String(c.params.text ?? ''))),
    ).toHaveLength(1);
    expect(fake.thread(CHANNEL, request.ts).filter((m) => m.text?.startsWith('✅'))).toHaveLength(1);
    expect(
      fake.thread(CHANNEL, request.ts).filter((m) => /^\S+ stop · job /u.test(m.text ?? '')),
    ).toHaveLength(1);
    expect(sim.cluster.tasks.all().filter((t) => t.record.type === 'qmstop')).toHaveLength(1);
    expect(sim.cluster.guest(100)?.running).toBe(false);
    // The private channel of the refusal path stays empty: nothing went wrong for the person.
    expect(fake.ephemerals(ALICE).filter((e) => e.channel === CHANNEL)).toEqual([]);
  }, 120_000);

  it('goes on in the thread replica A opened when A died after posting the request message', async () => {
    // The bots of the test before are stopped: A must be the only consumer when the command comes.
    for (const cli of bots.splice(0)) await cli.stop();
    const replicaA = start('bot');
    const portA = await publicPort(replicaA);
    const request = /^<@U1> ran `\/pve stop web01`$/;
    // A posts the request message (and writes its ts down), then waits on its first message in
    // that thread: the request is public, its job queued, and A is killed there.
    const held = fake.holdNext(
      'chat.postMessage',
      (params) => params.channel === CHANNEL && params.thread_ts !== undefined,
    );
    const ack = await fake.slashCommand(
      { url: `http://127.0.0.1:${portA}/slack/events` },
      { command: '/pve', text: 'stop web01', userId: ALICE, channelId: CHANNEL },
    );
    expect(ack.status).toBe(200);
    await held.received;
    const posted = fake.messages(CHANNEL).filter((m) => request.test(m.text ?? ''));
    expect(posted).toHaveLength(1);
    const replicaB = start('bot');
    await publicPort(replicaB);
    replicaA.child.kill('SIGKILL');
    await replicaA.exited;
    held.drop();

    const thread = posted[0]!.ts;
    const stopped = (m: { text?: string }) => m.text === '✅ web01 (qemu/101) stopped on node02';
    await fake.waitFor(() => fake.thread(CHANNEL, thread).find(stopped), 60_000);
    // B found A's request message: no second one, and the job A queued ran once.
    // (The request message itself now reads ✅: count the posts.)
    expect(
      fake.calls('chat.postMessage').filter((c) => request.test(String(c.params.text ?? ''))),
    ).toHaveLength(1);
    expect(fake.thread(CHANNEL, thread).filter(stopped)).toHaveLength(1);
    // web01 is HA-managed: its stop is one hastop, carried out by the HA stack.
    const stops = sim.cluster.tasks.all().filter((t) => t.record.type === 'hastop' && t.record.id === '101');
    expect(stops).toHaveLength(1);
  }, 120_000);
});
