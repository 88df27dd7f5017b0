// POST /pve/notifications through real HTTP on the ops server, the real queue, worker and outbox
// on Redis: what PVE's webhook target sends becomes one alert; a wrong or missing secret, a body
// our template does not render, another content type or an oversized body are refused and queue
// nothing; a replayed delivery is queued once; a snoozed type posts nothing; Redis not answering
// is a 503.
import { afterEach, describe, expect, it } from 'vitest';
import { AlertStore } from '../../../src/jobs/alerts/alert-store.js';
import { notificationIntake } from '../../../src/jobs/alerts/notification-intake.js';
import {
  NOTIFICATION_MAX_BYTES,
  notificationReceiver,
  PVE_NOTIFICATIONS_PATH,
} from '../../../src/jobs/alerts/notification-receiver.js';
import type { AlertEvent, JobEvent } from '../../../src/jobs/job-events.js';
import { closeRedis, createIntakeRedis } from '../../../src/jobs/redis-connection.js';
import { silentLogger } from '../../../src/logger.js';
import { createMetrics } from '../../../src/metrics.js';
import { type RunningOpsServer, startOpsServer } from '../../../src/ops-server.js';
import { type JobHarness, startJobHarness, THREAD } from '../helpers/job-harness.js';
import { delivery } from './delivery-fixtures.js';

const SECRET = 'example-notify-secret-0123456789';

let harness: JobHarness | undefined;
let server: RunningOpsServer | undefined;
afterEach(async () => {
  await server?.close();
  await harness?.stop();
  server = undefined;
  harness = undefined;
});

async function start(options: { redisUrl?: string } = {}) {
  const h = await startJobHarness({ speed: 200 });
  harness = h;
  await h.worker();
  const intake = options.redisUrl
    ? createIntakeRedis(options.redisUrl, silentLogger, 'test-intake')
    : h.redis;
  const store = new AlertStore(intake, { prefix: h.prefix });
  server = await startOpsServer({
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
        accept: notificationIntake({ store, queue: h.queue, threads: [THREAD] }),
      }),
    },
  });
  const url = `http://127.0.0.1:${server.port}${PVE_NOTIFICATIONS_PATH}`;
  // As bytes: fetch gives a string body a text/plain type, and PVE sends none unless configured.
  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(url, {
      method: 'POST',
      body: Buffer.from(body),
      headers: { Authorization: `Bearer ${SECRET}`, ...headers },
    });
  const closeIntake = async () => {
    if (intake !== h.redis) await closeRedis(intake);
  };
  return { h, url, post, store, closeIntake };
}

const isAlert = (event: JobEvent): event is AlertEvent => event.type === 'alert';
const pveJobs = async (h: JobHarness) =>
  (await h.queue.list(['active', 'waiting', 'delayed', 'completed', 'failed'], 50)).filter(
    (job) => job.kind === 'pve-notification',
  );

describe('POST /pve/notifications', () => {
  it('a failed backup, as PVE sends it (no content type), becomes one alert with Retry; a replay is queued once', async () => {
    const { h, post } = await start();
    const { body } = delivery('vzdump-failure-guest').request;
    const first = await post(body);
    expect(first.status).toBe(200);
    const answer = (await first.json()) as { queued: boolean; jobId: string };
    expect(answer.queued).toBe(true);

    const event = (await h.event(isAlert)) as AlertEvent;
    expect(event.jobId).toBe(answer.jobId);
    expect(event.alert).toMatchObject({
      key: 'pve:vzdump:node01:1776200442',
      title: 'vzdump backup status (node01.example.com): backup failed',
      offers: [
        { label: 'Retry backup', command: 'backup 100 --storage local' },
        { label: 'Show log', command: 'tasks node01 --failed' },
      ],
    });
    // The job posts nothing else: its result is silent.
    const result = await h.result(answer.jobId);
    expect(result).toMatchObject({ ok: true, details: { silent: true } });

    // The same delivery again (a proxy retrying, a second target): 200, nothing queued. The title's
    // trailing space does not make it another event.
    const replay = await post(body.replace('backup failed \\"', 'backup failed\\"'));
    expect(replay.status).toBe(200);
    expect(await replay.json()).toEqual({ duplicate: true });
    expect((await pveJobs(h)).map((job) => job.jobId)).toEqual([answer.jobId]);
    expect(h.events.filter(isAlert)).toHaveLength(1);
  });

  it('a wrong or missing secret gets 401 and queues nothing', async () => {
    const { h, url, post } = await start();
    const { body } = delivery('vzdump-failure-guest').request;
    const wrong = await post(body, { Authorization: `Bearer ${SECRET}x` });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toBe('Bearer realm="pve-chatops"');
    const missing = await fetch(url, { method: 'POST', body: Buffer.from(body) });
    expect(missing.status).toBe(401);
    const basic = await post(body, {
      Authorization: `Basic ${Buffer.from(`x:${SECRET}`).toString('base64')}`,
    });
    expect(basic.status).toBe(401);
    expect(await pveJobs(h)).toEqual([]);
    expect(h.events).toEqual([]);
  });

  it('refuses what our template does not render (400 with the reason), other content types (415) and bodies over 2 MiB (413)', async () => {
    const { h, post, url } = await start();
    const parsed = delivery('replication-failure').parsed;

    const stringTime = await post(JSON.stringify({ ...parsed, timestamp: String(parsed.timestamp) }));
    expect(stringTime.status).toBe(400);
    expect(((await stringTime.json()) as { error: string }).error).toMatch(
      /^not the body our template renders .*timestamp: /,
    );
    const badSeverity = await post(JSON.stringify({ ...parsed, severity: 'critical' }));
    expect(((await badSeverity.json()) as { error: string }).error).toContain('severity');
    const notJson = await post('{"title": "x", ');
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: string }).error).toMatch(/^the body is not JSON: /);

    const form = await post('title=x', { 'Content-Type': 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(415);
    // Configured as notify:setup does, with a charset: accepted.
    const typed = await post(JSON.stringify(parsed), { 'Content-Type': 'application/json; charset=utf-8' });
    expect(typed.status).toBe(200);

    const huge = JSON.stringify({ ...parsed, message: 'x'.repeat(NOTIFICATION_MAX_BYTES) });
    expect((await post(huge)).status).toBe(413);
    // Not declared: counted while read (chunked).
    const chunked = await fetch(url, {
      method: 'POST',
      headers: { Authorization: `Bearer ${SECRET}` },
      body: new Blob([huge]).stream(),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    // A GET is not a delivery.
    expect((await fetch(url)).status).toBe(405);

    // Only the one accepted body was queued.
    expect(await pveJobs(h)).toHaveLength(1);
  });

  it('a long message (close to the 1 MiB PVE sends at most) is taken whole', async () => {
    const { h, post } = await start();
    const parsed = delivery('vzdump-failure-guest').parsed;
    const log = Array.from(
      { length: 12_000 },
      (_, i) => `100: 2026-04-14 21:00:02 INFO: line ${i} "quoted" \\ tab\t`,
    ).join('\n');
    const message = `${parsed.message}${log}\n`;
    const answer = await post(JSON.stringify({ ...parsed, message }));
    expect(answer.status).toBe(200);
    const event = (await h.event(isAlert)) as AlertEvent;
    expect(event.alert.log?.text).toBe(message);
  });

  it('a snoozed type: the delivery is taken (200) but no card is posted', async () => {
    const { h, post, store } = await start();
    await store.snooze('package-updates', Date.now() + 3_600_000, { id: 'console:bob', name: 'bob' });
    const answer = await post(delivery('package-updates').request.body);
    expect(answer.status).toBe(200);
    const { jobId } = (await answer.json()) as { jobId: string };
    await h.result(jobId);
    expect(h.events.filter(isAlert)).toEqual([]);
    expect(await store.get('pve:package-updates:node01:1776211217')).toMatchObject({ shown: false });
  });

  it('with Redis not answering: 503, so PVE logs the failure', async () => {
    const { h, post, closeIntake } = await start({ redisUrl: 'redis://127.0.0.1:1' });
    try {
      const answer = await post(delivery('system-mail').request.body);
      expect(answer.status).toBe(503);
      expect(await pveJobs(h)).toEqual([]);
    } finally {
      await closeIntake();
    }
  });
});
