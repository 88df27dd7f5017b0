// The ops server over real HTTP on 127.0.0.1: /healthz names each check and fails with 503 when one
// fails (a real Redis client against a closed port), /metrics serves the registry, and the queue
// dashboard (bull-board over a real JobQueue) answers only with the right Basic credentials.
import { randomUUID } from 'node:crypto';
import type { RequestListener } from 'node:http';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { JobQueue } from '../src/jobs/job-queue.js';
import { OutboxWriter } from '../src/jobs/outbox/outbox-writer.js';
import { createQueueDashboard } from '../src/jobs/queue-dashboard.js';
import { createRedis } from '../src/jobs/redis-connection.js';
import { redisHealthCheck } from '../src/jobs/redis-health-check.js';
import { silentLogger } from '../src/logger.js';
import { createMetrics, observePveRequests } from '../src/metrics.js';
import {
  type HealthReport,
  type OpsServerOptions,
  type RunningOpsServer,
  startOpsServer,
} from '../src/ops-server.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(
  options: Partial<OpsServerOptions> = {},
): Promise<{ server: RunningOpsServer; url: string }> {
  const server = await startOpsServer({
    port: 0,
    host: '127.0.0.1',
    metrics: createMetrics({ defaultMetrics: false }),
    metricsAccess: 'open',
    checks: {},
    logger: silentLogger,
    ...options,
  });
  cleanups.push(() => server.close());
  return { server, url: `http://127.0.0.1:${server.port}` };
}

/** A port on 127.0.0.1 that nothing listens on (taken, then given back). */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

function basic(user: string, password: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
}

describe('ops server: /healthz', () => {
  /** A connection as the processes make them, closed after the test. */
  function redis(url: string) {
    const connection = createRedis(url, silentLogger, 'test');
    cleanups.push(async () => connection.disconnect());
    return connection;
  }

  it('answers 200 with every check and its time when all pass', async () => {
    const connection = redis(REDIS_URL);
    await connection.ping();
    const { url } = await start({ checks: { redis: redisHealthCheck(connection), pve: async () => {} } });
    const response = await fetch(`${url}/healthz`);
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toEqual({
      status: 'ok',
      checks: { redis: { ok: true, ms: expect.any(Number) }, pve: { ok: true, ms: expect.any(Number) } },
    });
  });

  it('answers 503 naming the failing check, with its error message only', async () => {
    const port = await closedPort();
    const down = redis(`redis://127.0.0.1:${port}`);
    const redisCheck = redisHealthCheck(down);
    // The first refusal, so the check can say why.
    await new Promise((resolve) => down.once('error', resolve));
    const { url } = await start({
      checks: {
        redis: redisCheck,
        pve: async () => {},
        secretive: async () => {
          const error = new Error('cannot reach redis://admin:hunter2@127.0.0.1:6390\n    at secret frame');
          Object.assign(error, { password: 'hunter2' });
          throw error;
        },
      },
    });
    const response = await fetch(`${url}/healthz`);
    expect(response.status).toBe(503);
    const text = await response.text();
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('secret frame');
    const body = JSON.parse(text);
    expect(body.status).toBe('failing');
    expect(body.checks.pve).toEqual({ ok: true, ms: expect.any(Number) });
    expect(body.checks.redis).toMatchObject({ ok: false, error: expect.stringContaining('ECONNREFUSED') });
    expect(body.checks.redis.error).toContain(String(port));
    expect(body.checks.secretive).toMatchObject({
      ok: false,
      error: 'cannot reach redis://***@127.0.0.1:6390',
    });
  });

  it('fails a check that does not answer in time, and aborts it', async () => {
    let aborted = false;
    const { url } = await start({
      checkTimeoutMs: 50,
      checks: {
        pve: (signal) =>
          new Promise<void>((_resolve, reject) => {
            signal.addEventListener('abort', () => {
              aborted = true;
              reject(signal.reason);
            });
          }),
      },
    });
    const response = await fetch(`${url}/healthz`);
    expect(response.status).toBe(503);
    expect(((await response.json()) as HealthReport).checks.pve).toMatchObject({
      ok: false,
      error: 'no answer within 50 ms',
    });
    expect(aborted).toBe(true);
  });
});

describe('ops server: /metrics', () => {
  it('serves every pve_chatops metric and the process metrics in the registry’s content type', async () => {
    const metrics = createMetrics();
    const redis = createRedis(REDIS_URL, silentLogger, 'test');
    const prefix = `test-${randomUUID()}`;
    const queue = new JobQueue({ redis, prefix, outbox: new OutboxWriter(redis, { prefix }) });
    cleanups.push(async () => {
      await queue.queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
      redis.disconnect();
    });
    await queue.enqueue({
      kind: 'status',
      payload: {},
      thread: { platform: 'test', channel: 'C1' },
      requestedBy: 'alice',
    });
    metrics.readQueueFrom(() => queue.counts());
    metrics.readOutboxLagFrom(async () => ({ slack: 1.5 }));
    metrics.countCommand('migrate', 'approval');
    metrics.countApproval('migrate', 'approved');
    metrics.observeJob('migrate', 'ok', 12.5);
    observePveRequests(metrics)({ method: 'GET', status: 200, durationMs: 12 });
    observePveRequests(metrics)({ method: 'POST', status: 500, errorCode: 'PVE_LOCKED', durationMs: 30 });
    metrics.countChatApiError('slack');
    const { url } = await start({ metrics });

    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(metrics.registry.contentType);
    const text = await response.text();
    for (const line of [
      'pve_chatops_commands_total{command="migrate",outcome="approval"} 1',
      'pve_chatops_approvals_total{command="migrate",decision="approved"} 1',
      'pve_chatops_jobs_total{kind="migrate",outcome="ok"} 1',
      'pve_chatops_job_duration_seconds_sum{kind="migrate",outcome="ok"} 12.5',
      'pve_chatops_pve_request_duration_seconds_count{method="GET",status="200"} 1',
      'pve_chatops_pve_errors_total{status="500"} 1',
      'pve_chatops_queue_jobs{state="waiting"} 1',
      'pve_chatops_queue_jobs{state="active"} 0',
      'pve_chatops_outbox_lag_seconds{platform="slack"} 1.5',
      'pve_chatops_chat_api_errors_total{platform="slack"} 1',
    ]) {
      expect(text).toContain(line);
    }
    expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
  });

  it('leaves a gauge out, and still answers, when its callback fails or hangs', async () => {
    const metrics = createMetrics({ defaultMetrics: false, collectTimeoutMs: 50 });
    metrics.readQueueFrom(() => Promise.reject(new Error('Redis is down')));
    metrics.readOutboxLagFrom(() => new Promise(() => {}));
    const { url } = await start({ metrics });
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toContain('# TYPE pve_chatops_queue_jobs gauge');
    expect(text).not.toMatch(/^pve_chatops_queue_jobs\{/m);
    expect(text).not.toMatch(/^pve_chatops_outbox_lag_seconds\{/m);
  });
});

describe('ops server: who may read /metrics', () => {
  it('does not serve it where access is none, and /healthz still answers', async () => {
    const { url } = await start({ metricsAccess: 'none' });
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain('pve_chatops');
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });

  it('serves it with a bearer token to its holder only', async () => {
    const token = 'metrics-token-for-the-test-0123';
    const { url } = await start({ metricsAccess: { bearerToken: token } });
    const anonymous = await fetch(`${url}/metrics`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="pve-chatops"');
    expect(await anonymous.text()).not.toContain('pve_chatops');
    for (const authorization of [
      'Bearer wrong',
      `Bearer ${token}x`,
      `Bearer ${token.slice(0, -1)}`,
      `Basic ${Buffer.from(`x:${token}`).toString('base64')}`,
      token,
    ]) {
      const response = await fetch(`${url}/metrics`, { headers: { authorization } });
      expect(response.status, authorization).toBe(401);
    }
    const allowed = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toContain('# TYPE pve_chatops_commands_total counter');
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });
});

describe('ops server: queue dashboard', () => {
  async function withDashboard() {
    const redis = createRedis(REDIS_URL, silentLogger, 'test');
    const prefix = `test-${randomUUID()}`;
    const queue = new JobQueue({ redis, prefix, outbox: new OutboxWriter(redis, { prefix }) });
    cleanups.push(async () => {
      await queue.queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
      redis.disconnect();
    });
    const path = '/admin/queues';
    return start({
      dashboard: { path, user: 'ops', password: 'correct horse', router: createQueueDashboard(queue, path) },
    });
  }

  it('asks for credentials without them, and refuses wrong ones', async () => {
    const { url } = await withDashboard();
    const anonymous = await fetch(`${url}/admin/queues`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic realm="pve-chatops"/);
    for (const headers of [
      basic('ops', 'wrong'),
      basic('admin', 'correct horse'),
      basic('ops', 'correct horse '),
      { authorization: 'Bearer correct horse' },
    ]) {
      const response = await fetch(`${url}/admin/queues/api/queues`, { headers });
      expect(response.status).toBe(401);
    }
  });

  it('shows the dashboard and the jobs queue with the right credentials', async () => {
    const { url } = await withDashboard();
    const page = await fetch(`${url}/admin/queues`, { headers: basic('ops', 'correct horse') });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    // Its assets and API calls point below the mount path.
    expect(await page.text()).toContain('/admin/queues');
    const api = await fetch(`${url}/admin/queues/api/queues`, { headers: basic('ops', 'correct horse') });
    expect(api.status).toBe(200);
    const body = (await api.json()) as { queues: Array<{ name: string; readOnlyMode: boolean }> };
    expect(body.queues).toHaveLength(1);
    expect(body.queues[0]).toMatchObject({ readOnlyMode: true });
    expect(body.queues[0]?.name).toContain('jobs');
  });

  it('has no dashboard route when none is configured', async () => {
    const { url } = await start();
    const response = await fetch(`${url}/admin/queues`, { headers: basic('ops', 'correct horse') });
    expect(response.status).toBe(404);
  });

  it('refuses a dashboard without a password', async () => {
    await expect(
      start({
        dashboard: { path: '/admin/queues', user: 'ops', password: '', router: (_q, _s, next) => next() },
      }),
    ).rejects.toThrow(/user and a password/);
  });
});

describe('ops server: more routes on the port', () => {
  it('hands a route’s requests to its handler (Bolt’s request listener) with URL and raw body intact', async () => {
    const seen: string[] = [];
    const bolt: RequestListener = (request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => {
        body += chunk.toString('utf8');
      });
      request.on('end', () => {
        seen.push(`${request.method} ${request.url} ${body}`);
        response.writeHead(200, { 'content-type': 'text/plain' }).end('bolt');
      });
    };
    const { url } = await start({ routes: { '/slack/events': bolt } });
    const response = await fetch(`${url}/slack/events`, { method: 'POST', body: 'token=x&a=1' });
    expect(await response.text()).toBe('bolt');
    expect(seen).toEqual(['POST /slack/events token=x&a=1']);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/slack/other`)).status).toBe(404);
  });

  it('serves a route with a query string, and answers 500 when its handler throws', async () => {
    const { url } = await start({
      routes: {
        '/slack/events': (request, response) => response.end(request.url),
        '/broken': () => {
          throw new Error('handler bug');
        },
      },
    });
    expect(await (await fetch(`${url}/slack/events?ssl_check=1`)).text()).toBe('/slack/events?ssl_check=1');
    const broken = await fetch(`${url}/broken`);
    expect(broken.status).toBe(500);
    expect(await broken.text()).toBe('internal error\n');
    expect((await fetch(`${url}/slack/events/more`)).status).toBe(404);
  });

  it('refuses a route over its own', async () => {
    const handler: RequestListener = (_request, response) => response.end();
    await expect(start({ routes: { '/metrics': handler } })).rejects.toThrow(/not overlap/);
  });
});
