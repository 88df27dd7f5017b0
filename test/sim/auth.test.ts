import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeSimulator, type RunningSimulator } from '../../src/sim/compose-simulator.js';
import { type FakeCluster, fakeDomain } from './helpers/fake-domain.js';
import { type CallOptions, call } from './helpers/https-call.js';

describe('simulator authentication', () => {
  let sim: RunningSimulator<FakeCluster>;
  const api = (method: string, path: string, options?: CallOptions) =>
    call(sim.hosts[0] as string, sim.caPem, method, `/api2/json${path}`, options);
  const token = () => `PVEAPIToken=${sim.tokenId}=${sim.tokenSecret}`;

  beforeAll(async () => {
    sim = await composeSimulator(
      { nodes: 2, port: 0, rootPassword: 'secret-pw', authFailureDelayMs: 0 },
      fakeDomain(),
    );
  });
  afterAll(() => sim.stop());

  it('accepts the API token and passes its id to the handler as the user', async () => {
    const res = await api('GET', '/version', { headers: { Authorization: token() } });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json;charset=UTF-8');
    expect(res.json).toEqual({
      data: { version: '9.1.3', release: '9.1', repoid: 'sim', user: 'chatops@pve!bot' },
    });
  });

  it('accepts a space instead of = after PVEAPIToken', async () => {
    const res = await api('GET', '/version', {
      headers: { Authorization: `PVEAPIToken ${sim.tokenId}=${sim.tokenSecret}` },
    });
    expect(res.status).toBe(200);
  });

  it.each([
    ['a wrong secret', { Authorization: 'PVEAPIToken=chatops@pve!bot=00000000-0000-0000-0000-000000000000' }],
    ['an unknown token', { Authorization: 'PVEAPIToken=other@pve!x=whatever' }],
    ['a forged ticket', { Cookie: 'PVEAuthCookie=PVE%3Aroot%40pam%3A66A1B2C3%3A%3AAAAA' }],
  ])('answers 401 Authentication failed! with an empty body for %s', async (_case, headers) => {
    const res = await api('GET', '/version', { headers });
    expect(res.status).toBe(401);
    expect(res.statusText).toBe('Authentication failed!');
    expect(res.text).toBe('');
    expect(res.headers.connection).toBe('close');
  });

  it('answers 401 No ticket when no credentials are sent', async () => {
    const res = await api('GET', '/version');
    expect([res.status, res.statusText, res.text]).toEqual([401, 'No ticket', '']);
  });

  it('logs root@pam in and lets the ticket read, and write with the CSRF token', async () => {
    const login = await api('POST', '/access/ticket', {
      body: { username: 'root@pam', password: 'secret-pw' },
    });
    expect(login.status).toBe(200);
    const data = (login.json as { data: Record<string, unknown> }).data;
    expect(data).toMatchObject({ username: 'root@pam', clustername: 'MonCluster', cap: {} });
    expect(data.ticket).toMatch(/^PVE:root@pam:[0-9A-F]{8}::[A-Za-z0-9+/]+=*$/);
    expect(data.CSRFPreventionToken).toMatch(/^[0-9A-F]{8}:[A-Za-z0-9+/]+=*$/);

    const cookie = `PVEAuthCookie=${encodeURIComponent(String(data.ticket))}`;
    const read = await api('GET', '/version', { headers: { Cookie: cookie } });
    expect(read.json).toMatchObject({ data: { user: 'root@pam' } });

    const write = await api('POST', '/nodes/node01/qemu/100/status/start', {
      headers: { Cookie: cookie, CSRFPreventionToken: String(data.CSRFPreventionToken) },
    });
    expect(write.status).toBe(200);

    const noCsrf = await api('POST', '/nodes/node01/qemu/100/status/start', { headers: { Cookie: cookie } });
    expect([noCsrf.status, noCsrf.statusText, noCsrf.text]).toEqual([
      401,
      'Permission denied - invalid csrf token',
      '',
    ]);
    const badCsrf = await api('POST', '/nodes/node01/qemu/100/status/start', {
      headers: { Cookie: cookie, CSRFPreventionToken: `${String(data.CSRFPreventionToken).slice(0, 9)}AAAA` },
    });
    expect(badCsrf.statusText).toBe('Permission denied - invalid csrf token');
  });

  it('refuses a wrong password with 401 authentication failure', async () => {
    const res = await api('POST', '/access/ticket', { body: { username: 'root@pam', password: 'nope' } });
    expect([res.status, res.statusText]).toEqual([401, 'authentication failure']);
  });

  it('refuses an API token on POST /access/ticket (allowtoken 0)', async () => {
    const res = await api('POST', '/access/ticket', {
      headers: { Authorization: token() },
      body: { username: 'root@pam', password: 'secret-pw' },
    });
    expect(res.status).toBe(403);
    expect(res.statusText).toBe(
      "Permission check failed (URI '/access/ticket' not available with API token, need proper ticket.)",
    );
  });

  it('answers 401 to everything while the rejectAuth fault is on', async () => {
    sim.faults.rejectAuth(true);
    try {
      const res = await api('GET', '/version', { headers: { Authorization: token() } });
      expect([res.status, res.statusText, res.text]).toEqual([401, 'Authentication failed!', '']);
    } finally {
      sim.faults.rejectAuth(false);
    }
    const res = await api('GET', '/version', { headers: { Authorization: token() } });
    expect(res.status).toBe(200);
  });
});

describe('simulator 401 delay', () => {
  it('holds 401 answers for authFailureDelayMs', async () => {
    const sim = await composeSimulator({ nodes: 1, port: 0, authFailureDelayMs: 250 }, fakeDomain());
    try {
      const started = performance.now();
      const res = await call(sim.hosts[0] as string, sim.caPem, 'GET', '/api2/json/version');
      expect(res.status).toBe(401);
      expect(performance.now() - started).toBeGreaterThanOrEqual(240);
    } finally {
      await sim.stop();
    }
  });
});
