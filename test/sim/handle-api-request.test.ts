import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeSimulator, type RunningSimulator } from '../../src/sim/compose-simulator.js';
import { type FakeCluster, fakeDomain } from './helpers/fake-domain.js';
import { type CallOptions, call } from './helpers/https-call.js';

describe('simulator request handling', () => {
  let sim: RunningSimulator<FakeCluster>;
  const api = (method: string, path: string, options: CallOptions = {}, node = 0) =>
    call(sim.hosts[node] as string, sim.caPem, method, `/api2/json${path}`, {
      ...options,
      headers: { Authorization: `PVEAPIToken=${sim.tokenId}=${sim.tokenSecret}`, ...options.headers },
    });

  beforeAll(async () => {
    sim = await composeSimulator({ nodes: 3, port: 0, authFailureDelayMs: 0 }, fakeDomain());
  });
  afterAll(() => sim.stop());

  it('serves each node on its own loopback address', () => {
    expect(sim.hosts.map((host) => new URL(host).hostname)).toEqual([
      '127.20.1.101',
      '127.20.1.102',
      '127.20.1.103',
    ]);
    expect(sim.env({ keyFile: '/k', knownHostsFile: '/kh' })).toEqual({
      PVE_HOSTS: sim.hosts.join(','),
      PVE_TOKEN_ID: 'chatops@pve!bot',
      PVE_TOKEN_SECRET: sim.tokenSecret,
      PVE_FINGERPRINTS: sim.fingerprints.join(','),
      SSH_USER: 'root',
      SSH_PORT: String(sim.ssh.port),
      SSH_KEY_FILE: '/k',
      SSH_KNOWN_HOSTS: '/kh',
    });
  });

  it('hands the handler typed parameters, the serving node and the user', async () => {
    const res = await api('POST', '/nodes/node02/qemu/100/status/start', { body: { skiplock: '0' } }, 2);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      data: { params: { node: 'node02', vmid: 100, skiplock: false }, user: 'chatops@pve!bot' },
    });
  });

  it('accepts JSON bodies with JSON booleans', async () => {
    const res = await api('POST', '/nodes/node01/qemu/100/status/start', {
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ skiplock: true, timeout: 30 }),
    });
    expect(res.json).toMatchObject({ data: { params: { skiplock: true, timeout: 30 } } });
  });

  it('adds total when a handler returns withTotal, and only when it is non-zero', async () => {
    expect((await api('GET', '/nodes/node01/tasks')).json).toEqual({
      data: [{ upid: 'a' }, { upid: 'b' }],
      total: 7,
    });
    expect((await api('GET', '/cluster/tasks')).json).toEqual({ data: [] });
  });

  it.each([
    [
      'an unknown parameter',
      '/nodes/node01/tasks?bogus=1',
      { bogus: expect.stringContaining('not defined in schema') },
    ],
    [
      "'true' for a boolean",
      '/nodes/node01/tasks?errors=true',
      { errors: "type check ('boolean') failed - got 'true'" },
    ],
    [
      'an out-of-range integer',
      '/nodes/node01/tasks?limit=-5',
      { limit: 'value must have a minimum value of 0' },
    ],
  ])('answers 400 Parameter verification failed. for %s', async (_case, path, errors) => {
    const res = await api('GET', path);
    expect(res.status).toBe(400);
    expect(res.statusText).toBe('Parameter verification failed.');
    expect(res.headers.connection).toBe('close');
    expect(res.json).toEqual({ data: null, message: 'Parameter verification failed.\n', errors });
  });

  it('answers 400 for a missing required parameter in a form body', async () => {
    const res = await api('POST', '/nodes/node01/qemu/100/migrate', { body: { online: '1' } });
    expect(res.json).toEqual({
      data: null,
      message: 'Parameter verification failed.\n',
      errors: { target: 'property is missing and it is not optional' },
    });
  });

  it('refuses a path variable repeated in the body with another value', async () => {
    const res = await api('POST', '/nodes/node01/qemu/100/status/start', { body: { vmid: '101' } });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({
      errors: { vmid: 'duplicate parameter (already defined in URI) with conflicting values!' },
    });
  });

  it('answers 501 for unknown paths, unimplemented schema methods and other HTTP methods', async () => {
    const unknown = await api('GET', '/nodes/node01/foo');
    expect([unknown.status, unknown.statusText]).toEqual([
      501,
      "Method 'GET /nodes/node01/foo' not implemented",
    ]);
    expect(unknown.json).toEqual({ data: null, message: "Method 'GET /nodes/node01/foo' not implemented" });

    const unregistered = await api('GET', '/cluster/resources');
    expect(unregistered.status).toBe(501);
    expect(unregistered.statusText).toContain('the simulator does not implement GET /cluster/resources');

    const patch = await api('PATCH', '/version');
    expect([patch.status, patch.statusText]).toEqual([501, "method 'PATCH' not available"]);

    const extjs = await call(sim.hosts[0] as string, sim.caPem, 'GET', '/api2/extjs/version');
    expect(extjs.status).toBe(501);
  });

  it('refuses chunked bodies with 501', async () => {
    const res = await api('POST', '/nodes/node01/qemu/100/status/start', {
      body: 'skiplock=0',
      chunked: true,
    });
    expect([res.status, res.statusText]).toEqual([501, 'chunked transfer encoding not supported']);
  });

  it('refuses bodies over 512 KiB', async () => {
    const res = await api('POST', '/nodes/node01/qemu/100/status/start', {
      body: `x=${'a'.repeat(513 * 1024)}`,
    });
    expect(res.status).toBe(413);
  });

  it('answers a handler die as 500 with its text, and a plain exception as 500 too', async () => {
    const died = await api('GET', '/nodes/node01/qemu/999/status/current');
    expect(died.status).toBe(500);
    expect(died.statusText).toBe("Configuration file 'nodes/node01/qemu-server/999.conf' does not exist");
    expect(died.json).toEqual({
      data: null,
      message: "Configuration file 'nodes/node01/qemu-server/999.conf' does not exist\n",
    });
    const bug = await api('GET', '/cluster/nextid');
    expect([bug.status, bug.statusText]).toEqual([500, 'simulated bug']);
  });

  it('answers 500 hostname lookup failed for an unknown node', async () => {
    const res = await api('GET', '/nodes/node09/status');
    expect(res.status).toBe(500);
    expect(res.statusText).toBe(
      "hostname lookup 'node09' failed - failed to get address info for: node09: Name or service not known",
    );
  });

  it('records every answered request', async () => {
    const before = sim.requests.length;
    await api('GET', '/nodes/node01/tasks?limit=-5', {}, 1);
    await api('POST', '/nodes/node03/qemu/100/status/start', { body: { skiplock: '1' } }, 1);
    expect(sim.requests.slice(before)).toEqual([
      {
        node: 'node02',
        method: 'GET',
        path: '/nodes/node01/tasks',
        template: '/nodes/{node}/tasks',
        status: 400,
        errors: { limit: 'value must have a minimum value of 0' },
        rawParams: { limit: '-5' },
      },
      {
        node: 'node02',
        method: 'POST',
        path: '/nodes/node03/qemu/100/status/start',
        template: '/nodes/{node}/qemu/{vmid}/status/start',
        status: 200,
        rawParams: { skiplock: '1' },
      },
    ]);
  });
});
