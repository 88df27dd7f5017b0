// The ops endpoints of a process, as the configuration places them: /metrics never open on PORT
// (the port Slack and load balancers reach) unless a token guards it, a listener of its own for it
// on OPS_PORT, and a port another process holds named by its variable.
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningProcessOps, startProcessOpsServer } from '../../src/app/process-ops-server.js';
import type { AppConfig } from '../../src/config/config-types.js';
import { ConfigError } from '../../src/config-error.js';
import { createRedis } from '../../src/jobs/redis-connection.js';
import { silentLogger } from '../../src/logger.js';
import { createMetrics } from '../../src/metrics.js';
import { ProxmoxClient } from '../../src/proxmox/proxmox-client.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const TOKEN = 'metrics-token-for-the-test-0123';
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A port on 127.0.0.1 held by another server until the test ends. */
async function takenPort(): Promise<number> {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => taken.close(resolve)));
  return (taken.address() as { port: number }).port;
}

async function start(config: Pick<AppConfig, 'port' | 'ops'>): Promise<RunningProcessOps> {
  const redis = createRedis(REDIS_URL, silentLogger, 'test');
  await redis.ping();
  // Refuses at once: /healthz answers 503 quickly, which is all these tests need of it.
  const pve = new ProxmoxClient({
    hosts: ['https://127.0.0.1:1'],
    tokenId: 'root@pam!test',
    tokenSecret: 'unused-in-this-test',
    fingerprints: [Array(32).fill('AB').join(':')],
  });
  cleanups.push(async () => {
    redis.disconnect();
    await pve.close();
  });
  const ops = await startProcessOpsServer({
    config,
    redis,
    pve,
    metrics: createMetrics({ defaultMetrics: false }),
    logger: silentLogger,
    routes: { '/slack/events': (_request, response) => response.writeHead(200).end('slack') },
  });
  cleanups.push(() => ops.close());
  return ops;
}

const get = (port: number, path: string, headers: Record<string, string> = {}) =>
  fetch(`http://127.0.0.1:${port}${path}`, { headers });

describe('the ops server of a process', () => {
  it('serves no /metrics on PORT by default, and /healthz and the routes still', async () => {
    const ops = await start({ port: 0, ops: { host: '127.0.0.1' } });
    expect((await get(ops.port, '/metrics')).status).toBe(404);
    const health = await get(ops.port, '/healthz');
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ checks: { redis: { ok: true }, pve: { ok: false } } });
    expect(await (await get(ops.port, '/slack/events')).text()).toBe('slack');
    expect(ops.opsPort).toBeUndefined();
  });

  it('serves /metrics on PORT to the holder of METRICS_TOKEN only', async () => {
    const ops = await start({ port: 0, ops: { host: '127.0.0.1', metricsToken: TOKEN } });
    expect((await get(ops.port, '/metrics')).status).toBe(401);
    const allowed = await get(ops.port, '/metrics', { authorization: `Bearer ${TOKEN}` });
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toContain('pve_chatops_commands_total');
  });

  it('serves /metrics on OPS_PORT, on its own address, and not on PORT', async () => {
    const ops = await start({ port: 0, ops: { port: 0, host: '127.0.0.1' } });
    expect(ops.opsPort).toEqual(expect.any(Number));
    expect(ops.opsPort).not.toBe(ops.port);
    expect((await get(ops.port, '/metrics')).status).toBe(404);
    const metrics = await get(ops.opsPort!, '/metrics');
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('pve_chatops_commands_total');
    expect((await get(ops.opsPort!, '/healthz')).status).toBe(503);
    // Slack's route stays on the public port.
    expect((await get(ops.opsPort!, '/slack/events')).status).toBe(404);
    // With a token, it is asked on the ops listener too.
    const guarded = await start({ port: 0, ops: { port: 0, host: '127.0.0.1', metricsToken: TOKEN } });
    expect((await get(guarded.opsPort!, '/metrics')).status).toBe(401);
    expect((await get(guarded.opsPort!, '/metrics', { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
  });

  it('refuses a PORT another process holds with a message naming PORT', async () => {
    const port = await takenPort();
    const started = start({ port, ops: { host: '127.0.0.1' } });
    await expect(started).rejects.toBeInstanceOf(ConfigError);
    await expect(started).rejects.toThrow(
      `PORT: ${port} is already in use on this host; give each pve-chatops process its own PORT (0 picks a free one)`,
    );
  });

  it('refuses an OPS_PORT another process holds naming OPS_PORT, and gives PORT back', async () => {
    const port = await takenPort();
    const free = await takenPort();
    // `free` is released for PORT: it was held only to learn a port number nobody else uses.
    await cleanups.pop()!();
    const started = start({ port: free, ops: { port, host: '127.0.0.1' } });
    await expect(started).rejects.toThrow(
      `OPS_PORT: ${port} is already in use on this host; give each pve-chatops process its own OPS_PORT (0 picks a free one)`,
    );
    // PORT was closed again: it can be taken at once.
    const again = await start({ port: free, ops: { host: '127.0.0.1' } });
    expect(again.port).toBe(free);
  });
});
