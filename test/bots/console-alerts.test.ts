// A backup that fails in the simulator reaches the alert channel as a card with Retry, and Retry,
// approved, runs a new vzdump that succeeds: the simulator's notification system sends the
// failure through a webhook target (our template, our secret) to POST /pve/notifications on the
// ops server; the receiver queues it, the worker turns it into an alert, the console draws the
// card. Pressing Retry (the core's run-command, as a chat button does) asks on-call like a typed
// backup. The real core, policy, approvals and audit on Redis, real HTTPS to the simulator.
import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { sshRunnerForSimulator } from '../../src/app/simulator-ssh.js';
import { type RunningChatOps, startChatOps } from '../../src/app/start-chatops.js';
import { ConsoleAdapter } from '../../src/bots/console/console-adapter.js';
import { parsePolicy } from '../../src/core/policy/index.js';
import { AlertStore } from '../../src/jobs/alerts/alert-store.js';
import { notificationIntake } from '../../src/jobs/alerts/notification-intake.js';
import { notificationReceiver, PVE_NOTIFICATIONS_PATH } from '../../src/jobs/alerts/notification-receiver.js';
import type { ThreadRef } from '../../src/jobs/job-events.js';
import { createRedis } from '../../src/jobs/redis-connection.js';
import { silentLogger } from '../../src/logger.js';
import { createMetrics } from '../../src/metrics.js';
import { startOpsServer } from '../../src/ops-server.js';
import { WEBHOOK_BODY_TEMPLATE } from '../../src/proxmox/notification-template.js';
import { ProxmoxClient } from '../../src/proxmox/proxmox-client.js';
import { startSimulator } from '../../src/sim/simulator.js';
import { consoleScreen } from './helpers/console-chat.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SECRET = 'console-alerts-secret-0123456789';
const POLICY = `
roles:
  oncall:
    members: [console:dave]
commands:
  backup:
    allow: [everyone]
    approval:
      approvers: [oncall]
`;

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

async function start() {
  const sim = await startSimulator({ port: 0, speed: 50, authFailureDelayMs: 0 });
  stops.push(() => sim.stop());
  const redis = createRedis(REDIS_URL, silentLogger, 'test');
  const prefix = `test-${randomUUID()}`;
  stops.push(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.unlink(...keys);
    redis.disconnect();
  });
  const pve = new ProxmoxClient({
    hosts: sim.hosts,
    tokenId: sim.tokenId,
    tokenSecret: sim.tokenSecret,
    fingerprints: sim.fingerprints,
  });
  stops.push(() => pve.close());
  const ssh = sshRunnerForSimulator(sim.ssh);
  stops.push(() => ssh.close());
  const input = new PassThrough();
  const screen = consoleScreen();
  const output = screen.stream;
  const consoleAdapter = new ConsoleAdapter({ input, output, user: 'alice' });
  const app: RunningChatOps = await startChatOps({
    redis,
    prefix,
    pve,
    ssh,
    pveUser: sim.tokenId,
    policy: parsePolicy(POLICY, 'test policy'),
    adapters: [consoleAdapter],
    logger: silentLogger,
    worker: { concurrency: 4, lockMs: 30_000 },
    consumer: 'test',
  });
  stops.push(async () => {
    input.end();
    await app.stop();
  });
  // The alert channel is the console's.
  const channel: ThreadRef = consoleAdapter.thread;
  const ops = await startOpsServer({
    port: 0,
    host: '127.0.0.1',
    metrics: createMetrics({ defaultMetrics: false }),
    metricsAccess: 'none',
    checks: {},
    logger: silentLogger,
    routes: {
      [PVE_NOTIFICATIONS_PATH]: notificationReceiver({
        secret: SECRET,
        logger: silentLogger,
        accept: notificationIntake({
          store: new AlertStore(redis, { prefix }),
          queue: app.queue,
          threads: [channel],
        }),
      }),
    },
  });
  stops.push(() => ops.close());
  return {
    sim,
    pve,
    app,
    channel,
    receiverUrl: `http://127.0.0.1:${ops.port}${PVE_NOTIFICATIONS_PATH}`,
    type: (line: string) => input.write(`${line}\n`),
    printed: screen.printed,
  };
}

describe('alerts in the console', () => {
  it('a backup failing in the simulator becomes a card with Retry; Retry, approved by on-call, backs the guest up', async () => {
    const c = await start();
    // What notify:setup configures: our target (template, secret, JSON) and a matcher for failures.
    await c.pve.createWebhookEndpoint({
      name: 'pve-chatops',
      url: c.receiverUrl,
      method: 'post',
      headers: [
        { name: 'Content-Type', value: 'application/json' },
        { name: 'Authorization', value: 'Bearer {{ secrets.token }}' },
      ],
      body: WEBHOOK_BODY_TEMPLATE,
      secrets: [{ name: 'token', value: SECRET }],
    });
    await c.pve.createNotificationMatcher({
      name: 'pve-chatops-matcher',
      target: ['pve-chatops'],
      matchSeverity: ['warning,error'],
      matchField: ['exact:type=vzdump,replication,fencing,package-updates,system-mail'],
    });

    // TestVM is locked by someone's snapshot: its backup fails inside the vzdump task.
    c.sim.cluster.guest(100)!.lock = 'snapshot';
    await c.pve.startBackup('node01', { vmids: [100], storage: 'local' });
    await c.printed(/❌ vzdump backup status \(node01\.example\.com\): backup failed\n/);
    await c.printed(/ {3}TestVM \(100\): VM is locked \(snapshot\)/);
    await c.printed(/ {3}Failed: TestVM \(100\)/);
    const buttons = await c.printed(/ {3}buttons: \[Retry backup\][^\n]*/);
    expect(buttons).toContain('[Retry backup] → type `/pve backup 100 --storage local`');
    expect(buttons).toContain('[Show log] → type `/pve tasks node01 --failed`');
    expect(buttons).toContain('[Snooze 4h] → type `snooze vzdump`');
    // Acknowledged by typing the word the card shows: the same card comes back saying who.
    c.type('acknowledge');
    await c.printed(/Acknowledged by alice at \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC/);

    // The snapshot is done; alice presses Retry: the backup, as typed, waits for on-call.
    delete c.sim.cluster.guest(100)!.lock;
    await c.app.core.press({
      action: 'run-command',
      value: 'backup 100 --storage local',
      user: { id: 'console:alice', name: 'alice', groups: [] },
      platform: 'console',
      channel: 'console:ops',
      thread: c.channel,
      requestId: 'console:press:retry-1',
    });
    await c.printed(/backup TestVM \(qemu\/100\) on node01 → local/);
    await c.printed(/⏳[^\n]*\n(?:[^\n]*\n)*?[^\n]*approve/);
    c.type('/as dave');
    c.type('approve');
    await c.printed(/✅ TestVM \(qemu\/100\) backed up to local \(snapshot\)/);
    expect(c.sim.cluster.guest(100)?.lock).toBeUndefined();
  });
});
