import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createPveTransport } from '../../src/proxmox/pve-transport.js';
import type { PveRequestEvent } from '../../src/proxmox/request-observer.js';
import { useSimulatedCluster } from './helpers/simulated-cluster.js';

const cluster = useSimulatedCluster();
const TestVM = { type: 'qemu', vmid: 100, node: 'node01' } as const;

describe('PVE transport against the simulator', () => {
  it('answers typed data through the token, and reports each exchange to the observer', async () => {
    const client = cluster.client();
    const before = cluster.events.length;
    const version = await client.version();
    expect(version.release).toMatch(/^\d+\.\d+$/);
    expect(cluster.events.slice(before)).toEqual([
      expect.objectContaining({ method: 'GET', path: '/version', host: cluster.sim.hosts[0], status: 200 }),
    ]);
    expect(cluster.events.at(-1)?.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('publishes every exchange on the pve-chatops:pve:request diagnostics channel', async () => {
    const seen: PveRequestEvent[] = [];
    const listener = (message: unknown) => seen.push(message as PveRequestEvent);
    subscribe('pve-chatops:pve:request', listener);
    try {
      await cluster.client().nextId();
    } finally {
      unsubscribe('pve-chatops:pve:request', listener);
    }
    expect(seen).toEqual([expect.objectContaining({ method: 'GET', path: '/cluster/nextid', status: 200 })]);
  });

  it('sends booleans as 1/0 in a form body that the schema check accepts', async () => {
    const client = cluster.client();
    const upid = await client.power(TestVM, 'shutdown', { forceStop: true, timeout: 30 });
    const recorded = cluster.sim.requests.findLast(
      (r) => r.path === '/nodes/node01/qemu/100/status/shutdown',
    );
    expect(recorded).toMatchObject({ status: 200, rawParams: { forceStop: '1', timeout: '30' } });
    await client.waitForTask(upid, { pollInterval: { initialMs: 10, maxMs: 50 } });
    await client.waitForTask(await client.start(TestVM), { pollInterval: { initialMs: 10, maxMs: 50 } });
  });

  it('sends the token, the User-Agent and a Content-Length form body on the wire, never chunked', async () => {
    const sent: string[] = [];
    const listener = (message: unknown) => sent.push((message as { headers: string }).headers);
    subscribe('undici:client:sendHeaders', listener);
    try {
      const client = cluster.client();
      await client.nextId();
      await client.waitForTask(await client.start({ type: 'lxc', vmid: 201, node: 'node01' }), {
        pollInterval: { initialMs: 10, maxMs: 50 },
      });
    } finally {
      unsubscribe('undici:client:sendHeaders', listener);
    }
    const get = sent.find((h) => h.startsWith('GET /api2/json/cluster/nextid '));
    const post = sent.find((h) => h.startsWith('POST /api2/json/nodes/node01/lxc/201/status/start '));
    expect(get?.toLowerCase()).toContain(`authorization: pveapitoken=${cluster.sim.tokenId}=`.toLowerCase());
    expect(get).toMatch(/user-agent: pve-chatops\/\d+\.\d+\.\d+\r\n/i);
    expect(post).toMatch(/content-type: application\/x-www-form-urlencoded\r\n/i);
    // undici writes Content-Length itself after these headers; the simulator, like pveproxy,
    // answers a chunked body with 501, so the start succeeding is the other half of this check.
    expect(post?.toLowerCase()).not.toContain('transfer-encoding');
  });

  it('maps a 400 with the offending parameter', async () => {
    const error = await cluster
      .client()
      .clone({ type: 'qemu', vmid: 9000, node: 'node01' }, { newid: 5, name: 'bad' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'PveError', code: 'PVE_PARAMETER', statusCode: 400, method: 'POST' });
    expect(error).toHaveProperty('errors.newid');
  });

  it('maps 501 for an unknown path', async () => {
    const transport = cluster.transport();
    const error = await transport
      .request('GET', '/nodes/node01/frobnicate', { schema: z.unknown() })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'PVE_NOT_IMPLEMENTED',
      statusCode: 501,
      path: '/nodes/node01/frobnicate',
    });
  });

  it('maps 401 when the token is refused, from the status line of an empty body', async () => {
    cluster.sim.faults.rejectAuth(true);
    try {
      const error = await cluster
        .client()
        .version()
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'PVE_AUTH_FAILED', statusCode: 401 });
      expect((error as Error).message).toMatch(/authentication failed: .+/i);
    } finally {
      cluster.sim.faults.rejectAuth(false);
    }
  });

  it('maps 401 for a wrong secret and never shows the secret', async () => {
    const secret = '00000000-dead-beef-0000-000000000000';
    const error = await cluster
      .client({ tokenSecret: secret })
      .clusterResources('vm')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'PVE_AUTH_FAILED', statusCode: 401 });
    const everything = JSON.stringify(error) + String(error) + (error as Error).stack;
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(cluster.sim.tokenSecret);
  });

  it('maps 595 for a call proxied to a node that is down', async () => {
    await cluster.sim.faults.nodeDown('node03');
    try {
      const client = cluster.client({ hosts: [cluster.sim.hosts[0]!] });
      const error = await client.nodeStatus('node03').catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'PVE_NODE_UNREACHABLE', statusCode: 595 });
      expect((error as Error).message).toContain('node unreachable');
    } finally {
      await cluster.sim.faults.nodeUp('node03');
    }
  });

  it('refuses a 200 whose body does not match the schema, naming the path and the issues', async () => {
    const transport = cluster.transport();
    const error = await transport
      .request('GET', '/version', { schema: z.object({ version: z.number() }) })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'PVE_BAD_RESPONSE', path: '/version', statusCode: 200 });
    expect((error as { issues: unknown[] }).issues.length).toBeGreaterThan(0);
    expect((error as Error).message).toContain('version');
  });

  it('refuses a configuration without any TLS verification at construction', () => {
    expect(() =>
      createPveTransport({ hosts: cluster.sim.hosts, tokenId: cluster.sim.tokenId, tokenSecret: 'x' }),
    ).toThrow(expect.objectContaining({ code: 'PVE_CONFIG' }));
  });
});
