// Users and ACLs set through the simulator's API with the bot's token (its user holds
// Administrator on /), then the privileges PVE computes from them, read back with GET
// /access/permissions and enforced on a user's own requests: the most specific ACL wins, a user
// ACL replaces the group's on the same path, propagate=0 stays on its path, NoAccess empties a
// path, a pool's roles reach its guests without propagating, a privsep token gets the
// intersection with its user's privileges.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, type SimCluster, startSimulator } from '../../src/sim/simulator.js';
import { type CallResult, call } from './helpers/https-call.js';

let sim: RunningSimulator<SimCluster>;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, speed: 100, authFailureDelayMs: 0 });
});
afterAll(async () => {
  await sim.stop();
});

interface Credentials {
  headers: Record<string, string>;
  csrf?: string;
}

const bot = (): Credentials => ({
  headers: { Authorization: `PVEAPIToken=${sim.tokenId}=${sim.tokenSecret}` },
});

function ask(
  who: Credentials,
  method: string,
  path: string,
  params?: Record<string, string>,
): Promise<CallResult> {
  const query = method === 'GET' && params ? `?${new URLSearchParams(params)}` : '';
  const headers = {
    ...who.headers,
    ...(who.csrf && method !== 'GET' ? { CSRFPreventionToken: who.csrf } : {}),
  };
  return call(sim.hosts[0] ?? '', sim.caPem, method, `/api2/json${path}${query}`, {
    headers,
    ...(method !== 'GET' && params ? { body: params } : {}),
  });
}

/** The bot's request, which must succeed; its `data`. */
async function admin(method: string, path: string, params?: Record<string, string>): Promise<unknown> {
  const answer = await ask(bot(), method, path, params);
  expect([answer.status, answer.statusText], `${method} ${path}`).toEqual([200, 'OK']);
  return (answer.json as { data: unknown }).data;
}

async function permissions(userid: string, path: string): Promise<Record<string, number>> {
  const data = (await admin('GET', '/access/permissions', { userid, path })) as Record<
    string,
    Record<string, number>
  >;
  expect(Object.keys(data)).toEqual([path]);
  return data[path] ?? {};
}

async function login(username: string, password: string): Promise<Credentials> {
  const answer = await ask({ headers: {} }, 'POST', '/access/ticket', { username, password });
  expect(answer.status).toBe(200);
  const data = (answer.json as { data: { ticket: string; CSRFPreventionToken: string } }).data;
  return {
    headers: { Cookie: `PVEAuthCookie=${encodeURIComponent(data.ticket)}` },
    csrf: data.CSRFPreventionToken,
  };
}

describe('privileges from users and ACLs', () => {
  it('PVEVMUser on /vms/100 gives VM.PowerMgmt there but not VM.Migrate; PVEVMAdmin adds it', async () => {
    await admin('POST', '/access/users', { userid: 'alice@pve', password: 'alice-password' });
    await admin('PUT', '/access/acl', { path: '/vms/100', users: 'alice@pve', roles: 'PVEVMUser' });
    const user = await permissions('alice@pve', '/vms/100');
    expect(user['VM.PowerMgmt']).toBe(1);
    expect(user).not.toHaveProperty('VM.Migrate');
    // Nothing reaches the other guests, nor the parent path.
    expect(await permissions('alice@pve', '/vms/103')).toEqual({});
    expect(await permissions('alice@pve', '/vms')).toEqual({});

    await admin('PUT', '/access/acl', { path: '/vms/100', users: 'alice@pve', roles: 'PVEVMAdmin' });
    expect(await permissions('alice@pve', '/vms/100')).toMatchObject({ 'VM.Migrate': 1, 'VM.PowerMgmt': 1 });
  });

  it('an ACL on /vms reaches /vms/100 when it propagates, and stays on /vms when not', async () => {
    await admin('POST', '/access/users', { userid: 'prop@pve' });
    await admin('PUT', '/access/acl', {
      path: '/vms',
      users: 'prop@pve',
      roles: 'PVEVMUser',
      propagate: '1',
    });
    expect(await permissions('prop@pve', '/vms/100')).toMatchObject({ 'VM.PowerMgmt': 1 });

    await admin('POST', '/access/users', { userid: 'noprop@pve' });
    await admin('PUT', '/access/acl', {
      path: '/vms',
      users: 'noprop@pve',
      roles: 'PVEVMUser',
      propagate: '0',
    });
    expect(await permissions('noprop@pve', '/vms')).toMatchObject({ 'VM.PowerMgmt': 0, 'VM.Audit': 0 });
    expect(await permissions('noprop@pve', '/vms/100')).toEqual({});
  });

  it("a user's own ACL on a path replaces its group's there, and only there", async () => {
    await admin('POST', '/access/groups', { groupid: 'operators' });
    await admin('POST', '/access/users', { userid: 'carol@pve', groups: 'operators' });
    await admin('PUT', '/access/acl', { path: '/vms', groups: 'operators', roles: 'PVEVMAdmin' });
    await admin('PUT', '/access/acl', { path: '/vms/100', users: 'carol@pve', roles: 'PVEAuditor' });
    const own = await permissions('carol@pve', '/vms/100');
    expect(own).toMatchObject({ 'VM.Audit': 1, 'Sys.Audit': 1 });
    expect(own).not.toHaveProperty('VM.Migrate');
    expect(await permissions('carol@pve', '/vms/101')).toMatchObject({ 'VM.Migrate': 1 });
  });

  it('NoAccess on a path leaves nothing there, whatever the parents grant', async () => {
    await admin('POST', '/access/users', { userid: 'dave@pve' });
    await admin('PUT', '/access/acl', { path: '/', users: 'dave@pve', roles: 'PVEAdmin' });
    await admin('PUT', '/access/acl', { path: '/vms/102', users: 'dave@pve', roles: 'NoAccess' });
    expect(await permissions('dave@pve', '/vms/102')).toEqual({});
    expect(await permissions('dave@pve', '/vms/101')).toMatchObject({ 'VM.Migrate': 1 });
  });

  it("a pool's roles reach its guests (not propagated) and no other guest", async () => {
    // The simulated pool prod holds VMs 101 and 102.
    await admin('POST', '/access/users', { userid: 'erin@pve' });
    await admin('PUT', '/access/acl', { path: '/pool/prod', users: 'erin@pve', roles: 'PVEVMAdmin' });
    expect(await permissions('erin@pve', '/pool/prod')).toMatchObject({ 'VM.Migrate': 1 });
    expect(await permissions('erin@pve', '/vms/101')).toMatchObject({ 'VM.Migrate': 0, 'VM.PowerMgmt': 0 });
    expect(await permissions('erin@pve', '/vms/100')).toEqual({});
  });

  it('a privsep token holds what both it and its user hold; without privsep, its user’s', async () => {
    // The auditor token: PVEAuditor on / for the token, Administrator for its user.
    const auditor = {
      'Datastore.Audit': 1,
      'Mapping.Audit': 1,
      'Pool.Audit': 1,
      'SDN.Audit': 1,
      'Sys.Audit': 1,
      'VM.Audit': 1,
      'VM.GuestAgent.Audit': 1,
    };
    expect(await permissions(sim.auditorTokenId, '/')).toEqual(auditor);
    expect(await permissions(sim.auditorTokenId, '/vms/100')).toEqual(auditor);
    expect(await permissions('chatops@pve', '/vms/100')).toMatchObject({
      'VM.Migrate': 1,
      'Permissions.Modify': 1,
    });
    // A token of alice's: with privsep it holds nothing until it has ACLs of its own…
    sim.cluster.access.addToken('alice@pve', 'sep', { privsep: true });
    sim.cluster.access.addToken('alice@pve', 'full', { privsep: false });
    expect(await permissions('alice@pve!sep', '/vms/100')).toEqual({});
    // …and then only what alice also holds; without privsep it is alice.
    await admin('PUT', '/access/acl', { path: '/', tokens: 'alice@pve!sep', roles: 'PVEAdmin' });
    const sep = await permissions('alice@pve!sep', '/vms/100');
    expect(sep).toMatchObject({ 'VM.Migrate': 1 });
    expect(sep).not.toHaveProperty('Sys.Audit');
    expect(await permissions('alice@pve!sep', '/vms/103')).toEqual({});
    expect(await permissions('alice@pve!full', '/vms/100')).toEqual(
      await permissions('alice@pve', '/vms/100'),
    );
  });
});

describe("a user's own requests", () => {
  it('are checked on the path they touch, with PVE’s 403', async () => {
    await admin('POST', '/access/users', { userid: 'frank@pve', password: 'frank-password' });
    await admin('PUT', '/access/acl', { path: '/vms/100', users: 'frank@pve', roles: 'PVEVMUser' });
    const frank = await login('frank@pve', 'frank-password');

    expect((await ask(frank, 'GET', '/nodes/node01/qemu/100/status/current')).status).toBe(200);
    const migrate = await ask(frank, 'POST', '/nodes/node01/qemu/100/migrate', { target: 'node02' });
    expect([migrate.status, migrate.statusText]).toEqual([
      403,
      'Permission check failed (/vms/100, VM.Migrate)',
    ]);
    expect((migrate.json as { message: string }).message).toBe(
      'Permission check failed (/vms/100, VM.Migrate)\n',
    );
    const other = await ask(frank, 'GET', '/nodes/node03/qemu/103/status/current');
    expect([other.status, other.statusText]).toEqual([403, 'Permission check failed (/vms/103, VM.Audit)']);
    const node = await ask(frank, 'GET', '/nodes/node01/status');
    expect([node.status, node.statusText]).toEqual([
      403,
      'Permission check failed (/nodes/node01, Sys.Audit)',
    ]);
  });

  it("may read one's own permissions, not another user's without Sys.Audit on /access", async () => {
    await admin('POST', '/access/users', { userid: 'gina@pve', password: 'gina-password' });
    await admin('PUT', '/access/acl', { path: '/vms', users: 'gina@pve', roles: 'PVEVMAdmin' });
    const gina = await login('gina@pve', 'gina-password');
    const own = await ask(gina, 'GET', '/access/permissions', { path: '/vms/100' });
    expect((own.json as { data: Record<string, Record<string, number>> }).data['/vms/100']).toMatchObject({
      'VM.Migrate': 1,
    });
    const others = await ask(gina, 'GET', '/access/permissions', { userid: 'alice@pve' });
    expect([others.status, others.statusText]).toEqual([403, 'Permission check failed (/access, Sys.Audit)']);
    // The bot's token asking about its own user is asking about someone else, too: it may (Sys.Audit).
    expect(await admin('GET', '/access/permissions', { userid: 'chatops@pve', path: '/' })).toHaveProperty(
      '/',
    );
  });

  it('stop once the user is disabled, and its password no longer logs in', async () => {
    await admin('POST', '/access/users', { userid: 'hank@pve', password: 'hank-password' });
    await admin('PUT', '/access/acl', { path: '/vms/100', users: 'hank@pve', roles: 'PVEAuditor' });
    const hank = await login('hank@pve', 'hank-password');
    expect((await ask(hank, 'GET', '/nodes/node01/qemu/100/status/current')).status).toBe(200);
    await admin('PUT', '/access/users/hank@pve', { enable: '0' });
    const refused = await ask(hank, 'GET', '/nodes/node01/qemu/100/status/current');
    expect([refused.status, refused.statusText, refused.text]).toEqual([401, 'Authentication failed!', '']);
    const again = await ask({ headers: {} }, 'POST', '/access/ticket', {
      username: 'hank@pve',
      password: 'hank-password',
    });
    expect([again.status, again.statusText]).toEqual([401, 'authentication failure']);
  });

  it('get a ticket whose cap is what the ACLs give and no cluster name without Sys.Audit on /', async () => {
    const answer = await ask({ headers: {} }, 'POST', '/access/ticket', {
      username: 'frank@pve',
      password: 'frank-password',
    });
    const data = (answer.json as { data: Record<string, unknown> }).data;
    expect(data).not.toHaveProperty('clustername');
    const cap = data.cap as Record<string, Record<string, number>>;
    expect(cap.vms).toMatchObject({ 'VM.PowerMgmt': 1, 'VM.Audit': 1 });
    expect(cap.vms).not.toHaveProperty('VM.Migrate');
    expect(cap.nodes).toEqual({});
  });
});
