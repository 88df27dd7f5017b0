// `pve-chatops all` from the compiled build, as a user runs it: Slack in HTTP mode, so
// /slack/events, /healthz, /metrics (behind METRICS_TOKEN) and the queue dashboard share PORT. A
// command goes through the real process; the health report names Redis and PVE; the metrics count
// what happened, for the token's holder only; the dashboard needs its password; other methods on
// /slack/events get 405; SIGTERM exits 0; and the whole run's log, at debug level, holds none of
// the configured secrets.
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createRedis } from '../../src/jobs/redis-connection.js';
import { silentLogger } from '../../src/logger.js';
import { type RunningSimulator, type SimCluster, startSimulator } from '../../src/sim/simulator.js';
import { type CompiledCli, startCompiledCli } from '../e2e/helpers/compiled-cli.js';
import { FakeSlack } from '../fakes/slack/fake-slack.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

let cli: CompiledCli | undefined;
let sim: RunningSimulator<SimCluster> | undefined;
let fake: FakeSlack | undefined;
afterEach(async () => {
  if (cli && cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill('SIGKILL');
  cli = undefined;
  await sim?.stop();
  sim = undefined;
  await fake?.stop();
  fake = undefined;
});

describe('pve-chatops all, HTTP endpoints on PORT (compiled process)', () => {
  it('serves Slack, /healthz, /metrics to its token and the dashboard; stops on SIGTERM; logs no secret', async () => {
    fake = await FakeSlack.start();
    fake.setUser('U1', 'alice');
    sim = await startSimulator({ port: 0, speed: 50, authFailureDelayMs: 0 });
    const prefix = `test-endpoints-${randomUUID()}`;
    const secrets = {
      PVE_TOKEN_SECRET: sim.tokenSecret,
      SLACK_BOT_TOKEN: fake.botToken,
      SLACK_SIGNING_SECRET: fake.signingSecret,
      DASHBOARD_PASSWORD: 'dashboard-password-for-the-test',
      METRICS_TOKEN: 'metrics-token-for-the-test-0123',
    };
    const all = startCompiledCli(['all'], {
      ...sim.env(),
      ...secrets,
      SLACK_API_URL: fake.apiUrl,
      DASHBOARD_USER: 'ops',
      REDIS_URL,
      REDIS_PREFIX: prefix,
      PORT: '0',
      LOG_LEVEL: 'debug',
      DIGEST_CRON: 'off',
    });
    cli = all;
    await all.waitFor(/pve-chatops ready/, 'ready');
    const listening = JSON.parse(await all.waitFor(/"msg":"ops server listening"/)) as { port: number };
    const base = `http://127.0.0.1:${listening.port}`;

    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({
      status: 'ok',
      checks: { redis: { ok: true }, pve: { ok: true } },
    });

    const ack = await fake.slashCommand(
      { url: `${base}/slack/events` },
      { command: '/pve', text: 'status', userId: 'U1', channelId: 'C1' },
    );
    expect(ack.status).toBe(200);
    // The request line is marked done once the result is in its thread.
    await fake.waitFor(
      () => fake?.messages('C1').find((m) => /ran `\/pve status`: succeeded/.test(m.text ?? '')),
      20_000,
    );
    // A forged request is refused by Bolt's signature check, also when mounted.
    const forged = await fake.slashCommand(
      { url: `${base}/slack/events` },
      { command: '/pve', text: 'status', userId: 'U1', channelId: 'C1' },
      { badSignature: true },
    );
    expect(forged.status).toBe(401);
    // Slack only POSTs there; a browser's GET is told so instead of a 500.
    const get = await fetch(`${base}/slack/events`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');

    // /metrics shares the port Slack reaches: its token's holder alone reads it.
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    const scraped = await fetch(`${base}/metrics`, {
      headers: { authorization: `Bearer ${secrets.METRICS_TOKEN}` },
    });
    expect(scraped.status).toBe(200);
    const metrics = await scraped.text();
    expect(metrics).toMatch(/pve_chatops_commands_total\{command="status",outcome="queued"\} 1/);
    expect(metrics).toMatch(/pve_chatops_jobs_total\{kind="status",outcome="ok"\} 1/);
    expect(metrics).toMatch(
      /pve_chatops_pve_request_duration_seconds_count\{method="GET",status="200"\} [1-9]/,
    );
    expect(metrics).toMatch(/pve_chatops_queue_jobs\{state="waiting"\} \d/);
    expect(metrics).toMatch(/process_resident_memory_bytes \d/);

    expect((await fetch(`${base}/admin/queues`)).status).toBe(401);
    const wrong = Buffer.from('ops:wrong-password').toString('base64');
    expect(
      (await fetch(`${base}/admin/queues`, { headers: { authorization: `Basic ${wrong}` } })).status,
    ).toBe(401);
    const right = Buffer.from(`ops:${secrets.DASHBOARD_PASSWORD}`).toString('base64');
    const board = await fetch(`${base}/admin/queues`, { headers: { authorization: `Basic ${right}` } });
    expect(board.status).toBe(200);
    expect(await board.text()).toMatch(/<html/i);

    expect(await all.stop()).toBe(0);
    const log = all.output();
    expect(log).toContain('pve-chatops ready');
    for (const [name, value] of Object.entries(secrets)) expect(log, name).not.toContain(value);

    const redis = createRedis(REDIS_URL, silentLogger, 'test');
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.unlink(...keys);
    redis.disconnect();
  }, 90_000);
});
