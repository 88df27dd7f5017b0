// Two bot replicas on one Discord application, one Redis: each holds a gateway session, and the
// work of a request (its public record, its private answers, the approval card, the job's
// result) is done by whichever replica takes it from the intake. Replica A receives and
// acknowledges but handles nothing (its intake consumer is off), so B must answer through the
// interaction tokens A recorded; an interaction Discord delivers to both sessions is
// acknowledged by one, refused to the other (40060) without a word to the operator, and handled
// once. The real adapters, core, approvals, outbox and worker, against FakeDiscord and the
// simulator.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningChatOps, startChatOps } from '../../src/app/start-chatops.js';
import { DiscordAdapter } from '../../src/bots/discord/discord-adapter.js';
import { RedisInteractionRegistry } from '../../src/bots/discord/interaction-registry.js';
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
/** Discord's MessageFlags.Loading: a deferred reply still "thinking". */
const LOADING = 1 << 7;

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
  cluster-join-info:
    allow: [everyone]
`;

/** What one replica's log said: warnings and errors, as messages. */
interface ReplicaLog {
  warnings: string[];
  errors: string[];
  logger: Logger;
}

function replicaLog(): ReplicaLog {
  const log: ReplicaLog = { warnings: [], errors: [], logger: silentLogger };
  log.logger = {
    ...silentLogger,
    warn: (_fields, message) => log.warnings.push(message),
    error: (_fields, message) => log.errors.push(message),
  };
  return log;
}

interface Replicas {
  fake: FakeDiscord;
  sim: RunningSimulator<SimCluster>;
  redis: Redis;
  /** Receives (the newest gateway session) and handles nothing. */
  a: { app: RunningChatOps; log: ReplicaLog };
  /** Handles everything from the intake. */
  b: { app: RunningChatOps; log: ReplicaLog };
  stop(): Promise<void>;
}

async function startReplica(
  name: string,
  fake: FakeDiscord,
  redis: Redis,
  prefix: string,
  pve: ProxmoxClient,
  pveUser: string,
  consume: boolean,
) {
  const log = replicaLog();
  const adapter = new DiscordAdapter({
    token: fake.token,
    guildIds: [fake.guildId],
    apiUrl: fake.apiUrl,
    logger: log.logger,
    editIntervalMs: 50,
    messageRefs: new RedisMessageRefs(redis, { prefix, platform: 'discord' }),
    interactions: new RedisInteractionRegistry(redis, { prefix }),
  });
  const app = await startChatOps({
    redis,
    prefix,
    pve,
    pveUser,
    policy: parsePolicy(POLICY, 'discord replicas policy'),
    adapters: [adapter],
    logger: log.logger,
    consumer: name,
    commandIntake: { consume },
  });
  return { app, log };
}

async function startReplicas(): Promise<Replicas> {
  const fake = await FakeDiscord.start();
  fake.addChannel(CHANNEL, 'ops');
  fake.addRole(ONCALL_ROLE, 'on-call');
  const sim = await startSimulator({ port: 0, speed: 50, authFailureDelayMs: 0 });
  const redis = createRedis(REDIS_URL, silentLogger, 'test');
  const prefix = `test-discord-replicas-${randomUUID()}`;
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
  // B identifies first, A second: A's is the newest gateway session.
  const b = await startReplica('replica-b', fake, redis, prefix, pve, sim.tokenId, true);
  const a = await startReplica('replica-a', fake, redis, prefix, pve, sim.tokenId, false);
  expect(fake.connectedSessions).toBe(2);
  return {
    fake,
    sim,
    redis,
    a,
    b,
    async stop() {
      await a.app.stop();
      await b.app.stop();
      await worker.close();
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.unlink(...keys);
      redis.disconnect();
      await pve.close();
      await sim.stop();
      await fake.stop();
    },
  };
}

let replicas: Replicas | undefined;
afterEach(async () => {
  await replicas?.stop();
  replicas = undefined;
});

function embedText(message: FakeMessage | undefined): string {
  return JSON.stringify(message?.embeds ?? []);
}

function buttonIds(message: FakeMessage | undefined): string[] {
  const rows = (message?.components ?? []) as Array<{ components?: Array<{ custom_id?: string }> }>;
  return rows.flatMap((row) => row.components ?? []).flatMap((b) => (b.custom_id ? [b.custom_id] : []));
}

/** The statuses Discord answered to the interaction's callbacks, in order. */
function callbackStatuses(fake: FakeDiscord, interactionId: string): number[] {
  return fake
    .calls()
    .filter((call) => call.path.startsWith(`/interactions/${interactionId}/`))
    .map((call) => call.status);
}

describe('Discord with two bot replicas', () => {
  it('a command and clicks received by one replica are answered by the other: privately, publicly, once', async () => {
    const r = await startReplicas();
    replicas = r;
    const { fake } = r;

    // A mistyped name: A acknowledges, B answers alice alone, replacing the "thinking" reply.
    const typo = fake.slashCommand({
      user: ALICE,
      channelId: CHANNEL,
      subcommand: 'migrate',
      options: { vm: 'TestVN', node: 'node03' },
      deliverTo: 'newest-session',
    });
    expect(await typo.acknowledged).toEqual({ type: 5, data: { flags: 64 } });
    const didYouMean = await fake.waitFor(() =>
      fake.ephemerals(ALICE.id).find((m) => /Did you mean/.test(embedText(m))),
    );
    expect(didYouMean).toMatchObject({ interactionId: typo.id, flags: 64 });
    expect(fake.messages(CHANNEL)).toEqual([]);

    // The real request: its public record and approval card, drawn by B.
    const command = fake.slashCommand({
      user: ALICE,
      channelId: CHANNEL,
      subcommand: 'migrate',
      options: { vm: 'TestVM', node: 'node03' },
      deliverTo: 'newest-session',
    });
    await command.acknowledged;
    const request = await fake.waitFor(() =>
      fake
        .messages(CHANNEL)
        .find((m) => /ran `\/pve migrate TestVM node03`/.test(m.content) && buttonIds(m).length > 0),
    );
    expect(embedText(request)).toContain('migrate TestVM (qemu/100) node01 → node03');
    // Its private "thinking" reply went once the command was public.
    await fake.waitFor(() => fake.ephemerals(ALICE.id).every((m) => (m.flags & LOADING) === 0));
    expect(fake.ephemerals(ALICE.id).filter((m) => m.interactionId === command.id)).toEqual([]);
    const approve = buttonIds(request)[0]!;

    // alice approves her own request on A; B refuses it, to her alone, through her click's token.
    const own = fake.clickButton({
      user: ALICE,
      message: request,
      customId: approve,
      deliverTo: 'newest-session',
    });
    expect(await own.acknowledged).toEqual({ type: 6 });
    const refusal = await fake.waitFor(() =>
      fake.ephemerals(ALICE.id).find((m) => /own request/i.test(embedText(m))),
    );
    expect(refusal).toMatchObject({ interactionId: own.id, flags: 64 });
    expect(embedText(refusal)).toContain('Your click changed nothing');

    // dave's click reaches both replicas, as Discord delivers to every session: one acknowledges,
    // the other is refused and lets it be; the approval and the job happen once.
    const approval = fake.clickButton({ user: DAVE, message: request, customId: approve });
    await approval.acknowledged;
    await fake.waitFor(() => callbackStatuses(fake, approval.id).length === 2);
    expect(callbackStatuses(fake, approval.id).sort()).toEqual([204, 400]);
    await fake.waitFor(() =>
      /Approved by dave/.test(embedText(fake.messages(CHANNEL).find((m) => m.id === request.id))),
    );
    const result = await fake.waitFor(
      () =>
        fake
          .messages(request.id)
          .find((m) => /TestVM \(qemu\/100\) now runs on node03/.test(embedText(m)) && m.content !== ''),
      20_000,
    );
    expect(result.content).toBe(`<@${ALICE.id}>`);
    await fake.waitFor(() =>
      fake
        .messages(CHANNEL)
        .find((m) => m.id === request.id)
        ?.content.startsWith('✅'),
    );
    expect(r.sim.cluster.guest(100)?.node).toBe('node03');

    // Once each: the request message, the result, the private answers.
    expect(fake.messages(CHANNEL).filter((m) => /ran `\/pve/.test(m.content))).toEqual([
      expect.objectContaining({ id: request.id }),
    ]);
    expect(
      fake.messages(request.id).filter((m) => /now runs on node03/.test(embedText(m)) && m.content !== ''),
    ).toHaveLength(1);
    expect(fake.ephemerals(ALICE.id).map((m) => m.interactionId)).toEqual([typo.id, own.id]);
    expect(fake.ephemerals(DAVE.id)).toEqual([]);
    expect(r.sim.cluster.tasks.all().filter((task) => task.record.type === 'qmigrate')).toHaveLength(1);
    for (const { log } of [r.a, r.b]) {
      expect(log.errors).toEqual([]);
      expect(log.warnings.filter((w) => /private message dropped|cannot/i.test(w))).toEqual([]);
    }
  });

  it('a private command delivered to both replicas: acknowledged once, answered privately, its private result later from any replica', async () => {
    const r = await startReplicas();
    replicas = r;
    const { fake } = r;
    const command = fake.slashCommand({
      user: ALICE,
      channelId: CHANNEL,
      subcommand: 'cluster',
      options: { view: 'join-info' },
    });
    expect(await command.acknowledged).toEqual({ type: 5, data: { flags: 64 } });
    await fake.waitFor(() => callbackStatuses(fake, command.id).length === 2);
    expect(callbackStatuses(fake, command.id).sort()).toEqual([204, 400]);

    // "only you will see the answer" replaces the "thinking" reply; the result follows it.
    const result = await fake.waitFor(
      () => fake.ephemerals(ALICE.id).find((m) => /fingerprint/.test(embedText(m))),
      20_000,
    );
    const answers = fake.ephemerals(ALICE.id);
    expect(answers.map((m) => m.interactionId)).toEqual([command.id, command.id]);
    expect(embedText(answers[0])).toMatch(/only you will see the answer/);
    expect(answers[1]!.id).toBe(result.id);
    expect(answers.every((m) => (m.flags & LOADING) === 0)).toBe(true);
    expect(fake.messages(CHANNEL)).toEqual([]);
    for (const { log } of [r.a, r.b]) {
      expect(log.errors).toEqual([]);
      expect(log.warnings).toEqual([]);
    }
  });
});
