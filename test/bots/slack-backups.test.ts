// Backups through Slack, as people type them: the real SlackAdapter (Bolt and WebClient) against
// FakeSlack over HTTP, the real core, policy and audit on Redis, the real worker and outbox, real
// HTTPS to the simulator. A backup of TestVM, then its archive in /pve backups.
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
import { FakeSlack } from '../fakes/slack/fake-slack.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const CHANNEL = 'C1';
const ALICE = 'U1';
const DAVE = 'U2';

const POLICY = `
roles:
  oncall:
    members: ['slack-group:S0ONCALL']
commands:
  '*':
    allow: [everyone]
    approval:
      approvers: [oncall]
  backup:
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
  const prefix = `test-slack-backup-${randomUUID()}`;
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
    policy: parsePolicy(POLICY, 'slack backup policy'),
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

describe('backups through Slack', () => {
  it('backs up TestVM to the storage it chose, then lists the archive', async () => {
    const c = await startChat();
    chat = c;
    const { fake } = c;
    await fake.slashCommand(c.target, {
      command: '/pve',
      text: 'backup TestVM',
      userId: ALICE,
      channelId: CHANNEL,
    });
    const request = await fake.waitFor(() =>
      fake.messages(CHANNEL).find((m) => /ran `\/pve backup TestVM`/.test(m.text ?? '')),
    );
    const result = await inThread(
      c,
      request.ts,
      /^✅ TestVM \(qemu\/100\) backed up to pbs-backup \(snapshot\)/,
    );
    const archive = /vm\/100\/[\dT:-]+Z/.exec(JSON.stringify(result.blocks))![0];

    await fake.slashCommand(c.target, {
      command: '/pve',
      text: 'backups TestVM',
      userId: ALICE,
      channelId: CHANNEL,
    });
    const listed = await fake.waitFor(() =>
      fake.messages(CHANNEL).find((m) => /ran `\/pve backups TestVM`/.test(m.text ?? '')),
    );
    const list = await inThread(c, listed.ts, /^✅ TestVM \(qemu\/100\): \d+ backups on /);
    expect(JSON.stringify(list.blocks)).toContain(`pbs-backup · ${archive}`);
  });
});
