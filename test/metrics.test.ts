// What the instrumented modules record, with real parts: jobs through a real worker and Redis,
// PVE requests over HTTPS to the simulator, commands and approvals through the core, the outbox's
// lag from its Redis stream, and failed Slack Web API calls over real HTTP.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { QueueEvents } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { countingFetch } from '../src/bots/slack/counting-fetch.js';
import { ApprovalStore } from '../src/core/approvals/approval-store.js';
import { AuditLog } from '../src/core/audit/audit-log.js';
import { Core } from '../src/core/core.js';
import type { OutgoingMessage } from '../src/core/message.js';
import { parsePolicy } from '../src/core/policy/index.js';
import { JOB_QUEUE_NAME } from '../src/jobs/job-queue.js';
import { readOutboxLag } from '../src/jobs/outbox/outbox-lag.js';
import { OutboxReader } from '../src/jobs/outbox/outbox-reader.js';
import { outboxStreamKey } from '../src/jobs/outbox/outbox-writer.js';
import { silentLogger } from '../src/logger.js';
import { createMetrics, type Metrics, observePveRequests } from '../src/metrics.js';
import { ProxmoxClient } from '../src/proxmox/proxmox-client.js';
import { guestOf, type JobHarness, startJobHarness, THREAD } from './jobs/helpers/job-harness.js';

let harness: JobHarness | undefined;
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await harness?.stop();
  harness = undefined;
});

/** One sample's value, or undefined when the series does not exist. */
async function sample(
  metrics: Metrics,
  name: string,
  labels: Record<string, string>,
): Promise<number | undefined> {
  const metric = metrics.registry.getSingleMetric(name.replace(/_(count|sum)$/, ''));
  if (!metric) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  const found = values.find(
    (v) =>
      (v as { metricName?: string }).metricName ===
        (name.endsWith('_count') || name.endsWith('_sum') ? name : undefined) &&
      Object.entries(labels).every(([key, value]) => String(v.labels[key]) === value),
  );
  return found?.value;
}

function clientFor(h: JobHarness, metrics: Metrics, tokenSecret = h.sim.tokenSecret): ProxmoxClient {
  const pve = new ProxmoxClient({
    hosts: h.sim.hosts,
    tokenId: h.sim.tokenId,
    tokenSecret,
    fingerprints: h.sim.fingerprints,
    logger: silentLogger,
    onRequest: observePveRequests(metrics),
  });
  cleanups.push(() => pve.close());
  return pve;
}

function queueEvents(h: JobHarness): QueueEvents {
  const events = new QueueEvents(JOB_QUEUE_NAME, { connection: h.redis.duplicate(), prefix: h.prefix });
  cleanups.push(() => events.close());
  return events;
}

describe('metrics: jobs and PVE requests', () => {
  it('counts a job run by a real worker by kind and outcome, with its duration, and times its PVE calls', async () => {
    const h = await startJobHarness();
    harness = h;
    const metrics = createMetrics({ defaultMetrics: false });
    await h.worker({ metrics, pve: clientFor(h, metrics) });
    const events = queueEvents(h);
    await events.waitUntilReady();

    const ok = await h.queue.enqueue({ kind: 'status', payload: {}, thread: THREAD, requestedBy: 'alice' });
    // Reboot of a stopped container: PVE refuses it (500), the job fails without a retry.
    const failed = await h.queue.enqueue({
      kind: 'reboot',
      payload: { guest: guestOf(h.sim, 201) },
      thread: THREAD,
      requestedBy: 'bob',
    });
    // Finished in BullMQ: the result is stored, and counted, by then.
    await (await h.queue.queue.getJob(ok.jobId))!.waitUntilFinished(events);
    await expect((await h.queue.queue.getJob(failed.jobId))!.waitUntilFinished(events)).rejects.toThrow(
      /not running/,
    );

    expect(await sample(metrics, 'pve_chatops_jobs_total', { kind: 'status', outcome: 'ok' })).toBe(1);
    expect(await sample(metrics, 'pve_chatops_jobs_total', { kind: 'reboot', outcome: 'failed' })).toBe(1);
    expect(
      await sample(metrics, 'pve_chatops_job_duration_seconds_count', { kind: 'status', outcome: 'ok' }),
    ).toBe(1);
    const seconds = await sample(metrics, 'pve_chatops_job_duration_seconds_sum', {
      kind: 'status',
      outcome: 'ok',
    });
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThan(30);

    // The status job read the cluster over HTTPS (GET 200); the reboot was refused with a 500.
    const gets = await sample(metrics, 'pve_chatops_pve_request_duration_seconds_count', {
      method: 'GET',
      status: '200',
    });
    expect(gets).toBeGreaterThanOrEqual(1);
    const getSeconds = await sample(metrics, 'pve_chatops_pve_request_duration_seconds_sum', {
      method: 'GET',
      status: '200',
    });
    expect(getSeconds).toBeGreaterThan(0);
    expect(await sample(metrics, 'pve_chatops_pve_errors_total', { status: '500' })).toBeGreaterThanOrEqual(
      1,
    );
  });

  it('counts a refused token as a PVE error by its status', async () => {
    const h = await startJobHarness();
    harness = h;
    const metrics = createMetrics({ defaultMetrics: false });
    await expect(clientFor(h, metrics, 'not-the-secret').version()).rejects.toThrow();
    expect(await sample(metrics, 'pve_chatops_pve_errors_total', { status: '401' })).toBeGreaterThanOrEqual(
      1,
    );
    expect(await sample(metrics, 'pve_chatops_pve_errors_total', { status: '200' })).toBeUndefined();
  });
});

describe('metrics: commands and approvals through the core', () => {
  it('counts each command by name and outcome, and the approval decided', async () => {
    const h = await startJobHarness();
    harness = h;
    const metrics = createMetrics({ defaultMetrics: false });
    const pve = clientFor(h, metrics);
    const sent: OutgoingMessage[] = [];
    const core = new Core({
      queue: h.queue,
      approvals: new ApprovalStore(h.redis, { prefix: h.prefix }),
      audit: new AuditLog(h.redis, { prefix: h.prefix }),
      // Everyone may ask for anything; disruptive commands then wait for one approval by another.
      policy: parsePolicy("commands:\n  '*':\n    allow: [everyone]\n", 'test policy'),
      sink: { send: async (message) => void sent.push(message) },
      readCluster: () => pve.clusterSnapshot(),
      logger: silentLogger,
      metrics,
    });
    const alice = { id: 'test:alice', name: 'alice', groups: [] };
    const bob = { id: 'test:bob', name: 'bob', groups: [] };
    const say = (text: string, user = alice) =>
      core.handle({ platform: 'test', user, channel: 'test:C1', text, thread: THREAD });

    await say('status');
    await say('help');
    await say('teleport TestVM');
    await say('migrate NoSuchVM node03');
    await say('migrate TestVM node03');
    const card = sent.find((m) => m.key?.startsWith('approval:'));
    expect(card).toBeDefined();
    const approvalId = card!.key!.slice('approval:'.length);
    await core.press({
      action: 'approve',
      value: approvalId,
      user: bob,
      platform: 'test',
      channel: 'test:C1',
      thread: THREAD,
    });
    await say('migrate TestVM node02');
    const second = sent
      .filter((m) => m.key?.startsWith('approval:'))
      .at(-1)!
      .key!.slice('approval:'.length);
    await core.press({
      action: 'deny',
      value: second,
      user: bob,
      platform: 'test',
      channel: 'test:C1',
      thread: THREAD,
    });

    const commands = (command: string, outcome: string) =>
      sample(metrics, 'pve_chatops_commands_total', { command, outcome });
    expect(await commands('status', 'queued')).toBe(1);
    expect(await commands('help', 'answered')).toBe(1);
    expect(await commands('unknown', 'invalid')).toBe(1);
    expect(await commands('migrate', 'invalid')).toBe(1);
    expect(await commands('migrate', 'approval')).toBe(2);
    const approvals = (decision: string) =>
      sample(metrics, 'pve_chatops_approvals_total', { command: 'migrate', decision });
    expect(await approvals('approved')).toBe(1);
    expect(await approvals('denied')).toBe(1);
  });
});

describe('metrics: outbox lag', () => {
  it('is the age of the oldest entry the bots have not acknowledged, per platform', async () => {
    const h = await startJobHarness();
    harness = h;
    const key = outboxStreamKey(h.prefix, 'slack');
    const options = { prefix: h.prefix, platforms: ['slack', 'discord'] };
    expect(await readOutboxLag(h.redis, options)).toEqual({ slack: 0, discord: 0 });

    // Two entries written 60 s and 30 s ago (ids carry the time), no bot has read them yet.
    const [now] = await h.redis.time();
    const at = (secondsAgo: number) => `${(Number(now) - secondsAgo) * 1000}-0`;
    const entry = (jobId: string) => [
      'thread',
      JSON.stringify({ platform: 'slack', channel: 'C1' }),
      'event',
      JSON.stringify({ type: 'progress', jobId, kind: 'status', phase: 'reading', logLines: [], at: 0 }),
    ];
    await h.redis.xadd(key, at(60), ...entry('j1'));
    await h.redis.xadd(key, at(30), ...entry('j2'));
    let lag = await readOutboxLag(h.redis, options);
    expect(lag.slack).toBeGreaterThanOrEqual(60);
    expect(lag.slack).toBeLessThan(62);
    expect(lag.discord).toBe(0);

    // A bot reads both and fails on the first: it stays pending, so the lag stays.
    const reader = new OutboxReader(h.redis, {
      platform: 'slack',
      consumer: 'bot',
      prefix: h.prefix,
      blockMs: 50,
    });
    cleanups.push(() => reader.stop());
    await new Promise<void>((resolve) => {
      reader.start(async (delivery) => {
        if (delivery.event.jobId === 'j1') throw new Error('Slack is down');
        resolve(); // j2, handled (and acknowledged) after j1 failed
      });
    });
    lag = await readOutboxLag(h.redis, options);
    expect(lag.slack).toBeGreaterThanOrEqual(60);
    await reader.stop();

    // Once acknowledged, nothing is behind.
    await h.redis.xack(key, 'bots', at(60));
    expect(await readOutboxLag(h.redis, options)).toEqual({ slack: 0, discord: 0 });
  });
});

describe('metrics: Slack Web API errors', () => {
  it('counts HTTP errors, "ok": false and unreachable hosts, not successful calls', async () => {
    const answers: Array<[number, string]> = [
      [200, '{"ok":true}'],
      [200, '{"ok":false,"error":"channel_not_found"}'],
      [500, 'oops'],
      [429, '{"ok":false,"error":"ratelimited"}'],
    ];
    const server: Server = createServer((_request, response) => {
      const [status, body] = answers.shift()!;
      response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/chat.postMessage`;
    let errors = 0;
    const fetchFn = countingFetch(() => {
      errors += 1;
    });
    const bodies: string[] = [];
    for (let i = 0; i < 4; i += 1)
      bodies.push(await (await fetchFn(url, { method: 'POST', body: 'x' })).text());
    // The caller reads the body as it came.
    expect(bodies[1]).toBe('{"ok":false,"error":"channel_not_found"}');
    expect(errors).toBe(3);
    await expect(fetchFn('http://127.0.0.1:1/api/chat.postMessage', { method: 'POST' })).rejects.toThrow();
    expect(errors).toBe(4);
  });
});
