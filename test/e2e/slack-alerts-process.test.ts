// Alerts from PVE through the real process: `pve-chatops all` from the compiled build with
// PVE_NOTIFY_SECRET and an alert channel, against the fake Slack (signed HTTP deliveries) and the
// simulator. PVE's failed-backup delivery POSTed to /pve/notifications on PORT becomes one card in
// the alert channel with its buttons and the full message as a file; a wrong secret is refused
// and posts nothing; the same delivery replayed posts nothing more; Acknowledge shows who and when
// on the same card.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis } from '../../src/jobs/redis-connection.js';
import { silentLogger } from '../../src/logger.js';
import { type RunningSimulator, type SimCluster, startSimulator } from '../../src/sim/simulator.js';
import { findButton } from '../fakes/slack/build-payloads.js';
import { FakeSlack } from '../fakes/slack/fake-slack.js';
import { delivery } from '../jobs/alerts/delivery-fixtures.js';
import { type CompiledCli, startCompiledCli } from './helpers/compiled-cli.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const ALICE = 'U1';
const ALERTS = 'C0ALERTS';
const SECRET = 'e2e-notify-secret-0123456789abcdef';
const POLICY = `
roles:
  operators:
    members: ['slack:${ALICE}']
commands:
  status:
    allow: [operators]
`;

let fake: FakeSlack;
let sim: RunningSimulator<SimCluster>;
let cli: CompiledCli;
let port: number;
const prefix = `test-slack-alerts-${randomUUID()}`;

beforeAll(async () => {
  fake = await FakeSlack.start();
  fake.setUser(ALICE, 'alice');
  sim = await startSimulator({ port: 0, speed: 50, authFailureDelayMs: 0 });
  const policyFile = join(mkdtempSync(join(tmpdir(), 'pve-chatops-policy-')), 'policy.yml');
  writeFileSync(policyFile, POLICY);
  cli = startCompiledCli(['all'], {
    ...sim.env(),
    SLACK_BOT_TOKEN: fake.botToken,
    SLACK_SIGNING_SECRET: fake.signingSecret,
    SLACK_API_URL: fake.apiUrl,
    POLICY_FILE: policyFile,
    REDIS_URL,
    REDIS_PREFIX: prefix,
    PORT: '0',
    DIGEST_CRON: 'off',
    PVE_NOTIFY_SECRET: SECRET,
    ALERT_SLACK_CHANNEL: ALERTS,
  });
  await cli.waitFor(/pve-chatops ready/, 'ready');
  await cli.waitFor(/alerts from PVE: notifications received on PORT/, 'the receiver');
  const line = await cli.waitFor(/"msg":"ops server listening"/, 'the ops server');
  port = Number((JSON.parse(line) as { port: number }).port);
}, 60_000);

afterAll(async () => {
  await cli?.stop();
  await sim?.stop();
  await fake?.stop();
  const redis = createRedis(REDIS_URL, silentLogger, 'test');
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.unlink(...keys);
  redis.disconnect();
});

function post(body: string, secret = SECRET) {
  // As PVE sends it: no content type, the bearer from the target's secret.
  return fetch(`http://127.0.0.1:${port}/pve/notifications`, {
    method: 'POST',
    body: Buffer.from(body),
    headers: { Authorization: `Bearer ${secret}` },
  });
}

describe('alerts from PVE in Slack (compiled process)', () => {
  it('a failed backup becomes one card with Retry, Show log, Acknowledge and the message as a file', async () => {
    const { body } = delivery('vzdump-failure-guest').request;

    const refused = await post(body, `${SECRET}-wrong`);
    expect(refused.status).toBe(401);

    const accepted = await post(body);
    expect(accepted.status).toBe(200);
    const card = await fake.waitFor(() =>
      fake
        .messages(ALERTS)
        .find((m) => m.text?.includes('vzdump backup status (node01.example.com): backup failed')),
    );
    for (const action of ['ack-alert', 'snooze-alert']) expect(findButton(card.blocks, action)).toBeDefined();
    expect(JSON.stringify(card.blocks)).toContain('Retry backup');
    expect(JSON.stringify(card.blocks)).toContain('Show log');
    const file = await fake.waitFor(() => fake.files(ALERTS).find((f) => f.name.endsWith('.txt')));
    expect(file.name).toBe('vzdump-node01-20260414-210042.txt');
    expect(file.bytes.toString('utf8')).toBe(delivery('vzdump-failure-guest').parsed.message);
    // The refused delivery posted nothing: the card and its file are all there is.
    expect(
      fake
        .messages(ALERTS)
        .filter((m) => m.ts !== file.messageTs)
        .map((m) => m.ts),
    ).toEqual([card.ts]);

    // Replayed (a proxy retrying): answered as a duplicate, nothing more posted.
    const replay = await post(body);
    expect(await replay.json()).toEqual({ duplicate: true });

    await fake.clickButton(
      { url: `http://127.0.0.1:${port}/slack/events` },
      { userId: ALICE, channelId: ALERTS, messageTs: card.ts, actionId: 'ack-alert' },
    );
    await fake.waitFor(() => /Acknowledged by alice at /.test(fake.message(ALERTS, card.ts)?.text ?? ''));
    expect(findButton(fake.message(ALERTS, card.ts)?.blocks, 'ack-alert')).toBeUndefined();
    // One card, edited in place; besides it only the file's own message.
    expect(
      fake
        .messages(ALERTS)
        .filter((m) => m.ts !== file.messageTs)
        .map((m) => m.ts),
    ).toEqual([card.ts]);
  }, 60_000);
});
