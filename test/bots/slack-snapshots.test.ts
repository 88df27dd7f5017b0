// Snapshots through Slack, as people click them: the real SlackAdapter (Bolt and WebClient) against
// FakeSlack over HTTP, the real core, policy, approvals and audit on Redis, the real worker and
// outbox, real HTTPS to the simulator. A snapshot's result carries a Roll back button; pressing it
// opens the same approval a typed rollback does, which another person must approve.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningChatOps, startChatOps } from '../../src/app/start-chatops.js';
import { SlackAdapter } from '../../src/bots/slack/slack-adapter.js';
import { parsePolicy } from '../../src/core/policy/index.js';
import { createRedis } from '../../src/jobs/redis-connection.js';
import { silentLogger } from '../../src/logger.js';
import { ProxmoxClient } from '../../src/proxmox/proxmox-client.js';
import { type RunningSimulator, type SimCluster, startSimulator } from '../../src/sim/simulator.js';
import { findButton } from '../fakes/slack/build-payloads.js';
import { FakeSlack } from '../fakes/slack/fake-slack.js';
import type { FakeMessage } from '../fakes/slack/types.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const CHANNEL = 'C1';
const ALICE = 'U1';
const DAVE = 'U2';

const POLICY = `
roles:
  oncall:
    members: ['slack-group:S0ONCALL']
snapshots:
  keep: 3
commands:
  '*':
    allow: [everyone]
    approval:
      approvers: [oncall]
  snapshot:
    allow: [everyone]
    approval: none
`;

interface Chat {
  fake: FakeSlack;
  sim: RunningSimulator<SimCluster>;
  app: RunningChatOps;
  target: { url: string };
  stop(): Promise<void>;
}

async function startChat(): Promise<Chat> {
  const fake = await FakeSlack.start();
  fake.setUser(ALICE, 'alice');
  fake.setUser(DAVE, 'dave');
  fake.setUserGroup('S0ONCALL', [DAVE]);
  const sim = await startSimulator({ port: 0, speed: 50, authFailureDelayMs: 0 });
  const redis: Redis = createRedis(REDIS_URL, silentLogger, 'test');
  const prefix = `test-slack-snap-${randomUUID()}`;
  const pve = new ProxmoxClient({
    hosts: sim.hosts,
    tokenId: sim.tokenId,
    tokenSecret: sim.tokenSecret,
    fingerprints: sim.fingerprints,
  });
  const adapter = new SlackAdapter({
    botToken: fake.botToken,
    signingSecret: fake.signingSecret,
    port: 0,
    apiUrl: fake.apiUrl,
    logger: silentLogger,
    userGroups: ['S0ONCALL'],
    editIntervalMs: 50,
  });
  const app = await startChatOps({
    redis,
    prefix,
    pve,
    pveUser: sim.tokenId,
    policy: parsePolicy(POLICY, 'slack snapshot policy'),
    adapters: [adapter],
    logger: silentLogger,
    worker: { concurrency: 4, lockMs: 30_000 },
    consumer: 'test',
  });
  return {
    fake,
    sim,
    app,
    target: { url: `http://127.0.0.1:${adapter.port}/slack/events` },
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

let chat: Chat | undefined;
afterEach(async () => {
  await chat?.stop();
  chat = undefined;
});

const inThread = (c: Chat, ts: string, pattern: RegExp) =>
  c.fake.waitFor(() => c.fake.thread(CHANNEL, ts).find((m) => pattern.test(m.text ?? '')), 20_000);

describe('snapshots through Slack', () => {
  it('takes a snapshot, lists it, and rolls back from its button once on-call approves', async () => {
    const c = await startChat();
    chat = c;
    const { fake } = c;
    await fake.slashCommand(c.target, {
      command: '/pve',
      text: 'snapshot TestVM',
      userId: ALICE,
      channelId: CHANNEL,
    });
    const request = await fake.waitFor(() =>
      fake.messages(CHANNEL).find((m) => /ran `\/pve snapshot TestVM`/.test(m.text ?? '')),
    );
    const result: FakeMessage = await inThread(c, request.ts, /^✅ Snapshot `chatops-\d{8}-\d{6}` of TestVM/);
    const name = /`(chatops-[\d-]+)`/.exec(result.text ?? '')![1]!;
    const button = findButton(result.blocks, 'run-command') as { value?: string; text?: { text?: string } };
    expect(button).toMatchObject({ value: `rollback 100 ${name}`, text: { text: 'Roll back' } });

    await fake.slashCommand(c.target, {
      command: '/pve',
      text: 'snapshots TestVM',
      userId: ALICE,
      channelId: CHANNEL,
    });
    const listed = await fake.waitFor(() =>
      fake.messages(CHANNEL).find((m) => /ran `\/pve snapshots TestVM`/.test(m.text ?? '')),
    );
    const list = await inThread(c, listed.ts, /^✅ 1 snapshot of TestVM \(qemu\/100\), 1 by the bot/);
    expect(JSON.stringify(list.blocks)).toContain('you are here (running)');

    // A change after the snapshot, which the rollback must undo.
    const cores = c.sim.cluster.guest(100)!.cores;
    c.sim.cluster.guest(100)!.cores = cores + 2;

    await fake.clickButton(c.target, {
      userId: ALICE,
      channelId: CHANNEL,
      messageTs: result.ts,
      actionId: 'run-command',
    });
    const card = await fake.waitFor(() =>
      fake.thread(CHANNEL, request.ts).find((m) => findButton(m.blocks, 'approve') !== undefined),
    );
    expect(card.text).toContain(`rollback TestVM (qemu/100) on node01 to \`${name}\``);
    expect(JSON.stringify(card.blocks)).toMatch(/of changes since .* will be lost/);
    expect(JSON.stringify(card.blocks)).toContain('is running now: it will be stopped first');

    await fake.clickButton(c.target, {
      userId: ALICE,
      channelId: CHANNEL,
      messageTs: card.ts,
      actionId: 'approve',
    });
    await fake.waitFor(() => fake.ephemerals(ALICE).find((e) => /own request/i.test(e.text ?? '')));
    expect(c.sim.cluster.guest(100)!.cores).toBe(cores + 2);

    await fake.clickButton(c.target, {
      userId: DAVE,
      channelId: CHANNEL,
      messageTs: card.ts,
      actionId: 'approve',
    });
    await inThread(c, request.ts, new RegExp(`^✅ TestVM \\(qemu/100\\) rolled back to \`${name}\``));
    expect(c.sim.cluster.guest(100)!.cores).toBe(cores);
  });
});
