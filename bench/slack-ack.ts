// How fast a `/pve` slash command is acknowledged (Slack gives an app 3 s, and shows the person an
// error after that): 200 signed `/pve status` commands at once over HTTP, to (a) the SlackAdapter
// wired through startChatOps with the worker, Redis and the simulator, whose work (the request
// message, the core, the job) happens after the ack; and (b) a bare Bolt app that only acks, the
// floor Bolt itself sets on this machine. FakeSlack signs and delivers, and times each ack; an ack
// it gave up on (3 s) counts as 3 s and as not 200. Everything here shares ONE process and event
// loop (the fake, the simulator, the bot and the worker); ack-own-process.ts runs the bot apart.
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { App, LogLevel } from '@slack/bolt';
import { startChatOps } from '../src/app/start-chatops.js';
import { SlackAdapter } from '../src/bots/slack/slack-adapter.js';
import { parsePolicy } from '../src/core/policy/index.js';
import { createRedis } from '../src/jobs/redis-connection.js';
import { silentLogger } from '../src/logger.js';
import { ProxmoxClient } from '../src/proxmox/proxmox-client.js';
import { startSimulator } from '../src/sim/simulator.js';
import { FakeSlack } from '../test/fakes/slack/fake-slack.js';
import type { DeliveryResult } from '../test/fakes/slack/types.js';
import { slashCommand } from './chatops-rig.js';
import { type BenchRow, percentile } from './report.js';

const COMMANDS = 200;
const WARMUP = 10;
const CHANNEL = 'C0BENCH';

const POLICY = `
roles:
  everyone:
    members: ['*']
commands:
  '*':
    allow: [everyone]
`;

interface AckFigures {
  p50: number;
  p99: number;
  max: number;
  failed: number;
}

/** WARMUP commands one by one, then COMMANDS at once; the figures are the burst's. */
async function burst(fake: FakeSlack, url: string, text: string): Promise<AckFigures> {
  const send = (i: number): Promise<DeliveryResult> => slashCommand(fake, url, text, i % 50, CHANNEL);
  for (let i = 0; i < WARMUP; i += 1) await send(i);
  const results = await Promise.all(Array.from({ length: COMMANDS }, (_, i) => send(i)));
  const acks = results.map((r) => r.ackMs).sort((a, b) => a - b);
  return {
    p50: percentile(acks, 50),
    p99: percentile(acks, 99),
    max: acks.at(-1) ?? Number.NaN,
    failed: results.filter((r) => r.status !== 200).length,
  };
}

function row(what: string, figures: AckFigures, target: string, ok: boolean | undefined): BenchRow {
  const failed = figures.failed > 0 ? `, ${figures.failed} not 200` : '';
  return {
    what,
    measured: `p50 ${figures.p50.toFixed(1)} ms, p99 ${figures.p99.toFixed(1)} ms${failed}`,
    target,
    ...(ok === undefined ? {} : { ok }),
    values: { p50Ms: figures.p50, p99Ms: figures.p99, maxMs: figures.max, failed: figures.failed },
  };
}

/** (a) The product: the SlackAdapter in HTTP mode behind startChatOps, with the worker running. */
async function benchAdapter(): Promise<AckFigures> {
  const fake = await FakeSlack.start();
  const sim = await startSimulator({ port: 0, authFailureDelayMs: 0, logger: silentLogger });
  const prefix = `bench-slack-${randomUUID()}`;
  const redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', silentLogger, 'bench');
  const pve = new ProxmoxClient({
    hosts: sim.hosts,
    tokenId: sim.tokenId,
    tokenSecret: sim.tokenSecret,
    fingerprints: sim.fingerprints,
    connectionsPerHost: 32,
    logger: silentLogger,
  });
  const adapter = new SlackAdapter({
    botToken: fake.botToken,
    signingSecret: fake.signingSecret,
    apiUrl: fake.apiUrl,
    port: 0,
    logger: silentLogger,
  });
  const chatops = await startChatOps({
    redis,
    prefix,
    pve,
    pveUser: sim.tokenId,
    policy: parsePolicy(POLICY, 'bench policy'),
    adapters: [adapter],
    logger: silentLogger,
    worker: { concurrency: 32, lockMs: 30_000 },
    consumer: 'bench',
  });
  try {
    const figures = await burst(fake, `http://127.0.0.1:${adapter.port}/slack/events`, 'status');
    // The work after the ack: every request message is redrawn with its job's result mark.
    await fake
      .waitFor(() => {
        const requests = fake.messages(CHANNEL);
        return requests.length === WARMUP + COMMANDS && requests.every((m) => !m.text?.startsWith('<@'));
      }, 90_000)
      .catch(() => undefined);
    return figures;
  } finally {
    await chatops.stop();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.unlink(...keys);
    redis.disconnect();
    await pve.close();
    await sim.stop();
    await fake.stop();
  }
}

/** (b) The floor: a Bolt app on its own port whose handler only acks. */
async function benchBareBolt(): Promise<AckFigures> {
  const fake = await FakeSlack.start();
  const app = new App({
    token: fake.botToken,
    signingSecret: fake.signingSecret,
    logLevel: LogLevel.ERROR,
    clientOptions: { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } },
  });
  app.command('/pve', async ({ ack }) => ack());
  try {
    const server = await app.start({ port: 0, host: '127.0.0.1' });
    const { port } = server.address() as AddressInfo;
    return await burst(fake, `http://127.0.0.1:${port}/slack/events`, 'status');
  } finally {
    await app.stop();
    await fake.stop();
  }
}

export async function benchSlackAck(): Promise<BenchRow[]> {
  const adapter = await benchAdapter();
  const bare = await benchBareBolt();
  return [
    row(
      `/pve status ack, single process: SlackAdapter via startChatOps + worker + FakeSlack + simulator (${COMMANDS} at once, HTTP)`,
      adapter,
      'p99 ≤ 50 ms',
      adapter.p99 <= 50 && adapter.failed === 0,
    ),
    row(
      `/pve ack, bare Bolt app that only acks (${COMMANDS} at once, HTTP)`,
      bare,
      '— (the floor for the row above)',
      undefined,
    ),
  ];
}
