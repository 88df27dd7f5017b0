// The simulator's /access users, groups and ACL endpoints over HTTPS, with pve-access-control's
// answers and error texts: a plain die inside lock_user_config comes back as a 500 prefixed with
// the method's message, a parameter exception there as its stringified text.
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

function ask(
  method: string,
  path: string,
  params?: Record<string, string>,
  headers: Record<string, string> = { Authorization: `PVEAPIToken=${sim.tokenId}=${sim.tokenSecret}` },
): Promise<CallResult> {
  const query = method === 'GET' && params ? `?${new URLSearchParams(params)}` : '';
  return call(sim.hosts[0] ?? '', sim.caPem, method, `/api2/json${path}${query}`, {
    headers,
    ...(method !== 'GET' && params ? { body: params } : {}),
  });
}

async function ok(method: string, path: string, params?: Record<string, string>): Promise<unknown> {
  const answer = await ask(method, path, params);
  expect([answer.status, answer.statusText], `${method} ${path}`).toEqual([200, 'OK']);
  return (answer.json as { data: unknown }).data;
}

async function fails(
  method: string,
  path: string,
  params: Record<string, string>,
  status: number,
  message: string,
): Promise<CallResult> {
  const answer = await ask(method, path, params);
  expect([answer.status, (answer.json as { message?: string }).message], `${method} ${path}`).toEqual([
    status,
    `${message}\n`,
  ]);
  expect(answer.statusText).toBe(message.split('\n')[0]);
  return answer;
}

describe('users', () => {
  it('are created, listed, read, updated and deleted', async () => {
    await ok('POST', '/access/groups', { groupid: 'ops', comment: 'operators' });
    await ok('POST', '/access/users', {
      userid: 'alice@pve',
      firstname: 'Alice',
      email: 'alice@example.com',
      groups: 'ops',
    });
    await ok('POST', '/access/users', { userid: 'bob@pve', comment: 'on call' });
    const list = (await ok('GET', '/access/users')) as Array<Record<string, unknown>>;
    expect(list.map((user) => user.userid)).toEqual(['alice@pve', 'bob@pve', 'chatops@pve', 'root@pam']);
    expect(list[0]).toEqual({
      userid: 'alice@pve',
      enable: 1,
      expire: 0,
      firstname: 'Alice',
      email: 'alice@example.com',
      'realm-type': 'pve',
    });
    // user.cfg keeps an empty email field when a later one (the comment) is set.
    expect(list[1]).toEqual({
      userid: 'bob@pve',
      enable: 1,
      expire: 0,
      email: '',
      comment: 'on call',
      'realm-type': 'pve',
    });
    expect(list[3]).toMatchObject({ userid: 'root@pam', 'realm-type': 'pam' });

    const full = (await ok('GET', '/access/users', { full: '1' })) as Array<Record<string, unknown>>;
    expect(full.find((user) => user.userid === 'chatops@pve')).toMatchObject({
      groups: '',
      tokens: [
        { tokenid: 'audit', privsep: 1, expire: 0, comment: 'pve-chatops (read-only)' },
        { tokenid: 'bot', privsep: 1, expire: 0, comment: 'pve-chatops' },
      ],
    });
    expect(await ok('GET', '/access/users/alice@pve')).toEqual({
      enable: 1,
      expire: 0,
      firstname: 'Alice',
      email: 'alice@example.com',
      groups: ['ops'],
      tokens: null,
    });

    await ok('PUT', '/access/users/bob@pve', { groups: 'ops', append: '1', enable: '0', comment: '' });
    // An empty form value counts as not given: the comment stays.
    const bob = { enable: 0, expire: 0, email: '', comment: 'on call' };
    expect(await ok('GET', '/access/users/bob@pve')).toEqual({ ...bob, groups: ['ops'], tokens: null });
    expect(await ok('GET', '/access/users', { enabled: '0' })).toEqual([
      { userid: 'bob@pve', ...bob, 'realm-type': 'pve' },
    ]);
    expect(await ok('GET', '/access/groups')).toEqual([
      { groupid: 'ops', comment: 'operators', users: 'alice@pve,bob@pve' },
    ]);

    await ok('PUT', '/access/acl', { path: '/vms/100', users: 'bob@pve', roles: 'PVEVMUser' });
    await ok('DELETE', '/access/users/bob@pve');
    expect(await ok('GET', '/access/groups/ops')).toEqual({ members: ['alice@pve'], comment: 'operators' });
    const acl = (await ok('GET', '/access/acl')) as Array<{ ugid: string }>;
    expect(acl.filter((entry) => entry.ugid === 'bob@pve')).toEqual([]);
  });

  it("answer PVE's errors", async () => {
    await fails(
      'POST',
      '/access/users',
      { userid: 'alice@pve' },
      500,
      "create user failed: user 'alice@pve' already exists",
    );
    await fails(
      'POST',
      '/access/users',
      { userid: 'ivan@pve', groups: 'nope' },
      500,
      "create user failed: no such group 'nope'",
    );
    await fails('GET', '/access/users/nobody@pve', {}, 500, "no such user ('nobody@pve')");
    // The schema's userid-group check runs first for a caller other than root@pam.
    await fails('PUT', '/access/users/nobody@pve', { comment: 'x' }, 500, "no such user ('nobody@pve')");
    await fails(
      'PUT',
      '/access/users/alice@pve',
      { groups: 'nope' },
      500,
      "update user failed: no such group 'nope'",
    );
    const invalid = await ask('POST', '/access/users', { userid: 'no-realm' });
    expect([invalid.status, invalid.statusText]).toEqual([
      500,
      "value 'no-realm' does not look like a valid user name",
    ]);
  });
});

describe('groups', () => {
  it('are created once, and deleted with their ACLs', async () => {
    await ok('POST', '/access/groups', { groupid: 'dev' });
    await fails(
      'POST',
      '/access/groups',
      { groupid: 'dev' },
      500,
      "create group failed: group 'dev' already exists",
    );
    await ok('PUT', '/access/acl', { path: '/vms', groups: 'dev', roles: 'PVEVMUser' });
    expect(await ok('GET', '/access/acl')).toContainEqual({
      path: '/vms',
      type: 'group',
      ugid: 'dev',
      roleid: 'PVEVMUser',
      propagate: 1,
    });
    await ok('DELETE', '/access/groups/dev');
    const acl = (await ok('GET', '/access/acl')) as Array<{ ugid: string }>;
    expect(acl.filter((entry) => entry.ugid === 'dev')).toEqual([]);
    await fails('GET', '/access/groups/dev', {}, 500, "group 'dev' does not exist");
  });
});

describe('ACLs', () => {
  it('list in tree order: users, groups, then tokens per path', async () => {
    await ok('PUT', '/access/acl', {
      path: '/nodes/node01',
      users: 'alice@pve',
      roles: 'PVESysAdmin',
      propagate: '0',
    });
    const acl = await ok('GET', '/access/acl');
    expect(acl).toEqual([
      { path: '/', type: 'user', ugid: 'chatops@pve', roleid: 'Administrator', propagate: 1 },
      { path: '/', type: 'token', ugid: 'chatops@pve!audit', roleid: 'PVEAuditor', propagate: 1 },
      { path: '/', type: 'token', ugid: 'chatops@pve!bot', roleid: 'Administrator', propagate: 1 },
      { path: '/nodes/node01', type: 'user', ugid: 'alice@pve', roleid: 'PVESysAdmin', propagate: 0 },
    ]);
    await ok('PUT', '/access/acl', {
      path: '/nodes/node01',
      users: 'alice@pve',
      roles: 'PVESysAdmin',
      delete: '1',
    });
    expect(await ok('GET', '/access/acl')).toHaveLength(3);
  });

  it("answer PVE's errors", async () => {
    const either = "either 'users', 'groups' or 'tokens' is required.";
    const none = await fails(
      'PUT',
      '/access/acl',
      { path: '/vms/100', roles: 'PVEVMUser' },
      400,
      'Parameter verification failed.',
    );
    expect((none.json as { errors: unknown }).errors).toEqual({
      users: either,
      groups: either,
      tokens: either,
    });
    const path = await fails(
      'PUT',
      '/access/acl',
      { path: '/foo', users: 'alice@pve', roles: 'PVEVMUser' },
      400,
      'Parameter verification failed.',
    );
    expect((path.json as { errors: unknown }).errors).toEqual({ path: "invalid ACL path '/foo'" });
    await fails(
      'PUT',
      '/access/acl',
      { path: '/vms/100', users: 'alice@pve', roles: 'NoSuchRole' },
      500,
      "ACL update failed: role 'NoSuchRole' does not exist",
    );
    await fails(
      'PUT',
      '/access/acl',
      { path: '/vms/100', users: 'zed@pve', roles: 'PVEVMUser' },
      500,
      "ACL update failed: user 'zed@pve' does not exist",
    );
    await fails(
      'PUT',
      '/access/acl',
      { path: '/vms/100', groups: 'nope', roles: 'PVEVMUser' },
      500,
      "ACL update failed: group 'nope' does not exist",
    );
    await fails(
      'PUT',
      '/access/acl',
      { path: '/vms/100', tokens: 'alice@pve!nope', roles: 'PVEVMUser' },
      500,
      "ACL update failed: no such token 'nope' for user 'alice@pve'",
    );
  });

  it('without Permissions.Modify, only what the caller holds itself can be handed out', async () => {
    // A token of the bot's user with PVEVMAdmin on /vms: VM.Allocate there, no Permissions.Modify.
    sim.cluster.access.addToken('chatops@pve', 'vmadmin', { privsep: true });
    sim.cluster.access.setTokenSecret('chatops@pve!vmadmin', 'vmadmin-secret');
    await ok('PUT', '/access/acl', { path: '/vms', tokens: 'chatops@pve!vmadmin', roles: 'PVEVMAdmin' });
    const vmadmin = { Authorization: 'PVEAPIToken=chatops@pve!vmadmin=vmadmin-secret' };
    const grant = (roles: string, path = '/vms/100') =>
      ask('PUT', '/access/acl', { path, users: 'alice@pve', roles }, vmadmin);

    expect((await grant('PVEVMUser')).status).toBe(200);
    const wider = await grant('PVEUserAdmin');
    expect([wider.status, (wider.json as { message: string }).message]).toEqual([
      500,
      "ACL update failed: 400 Parameter verification failed.\nrole: Cannot add role 'PVEUserAdmin' - requires 'Permissions.Modify' or superset of privileges.\n",
    ]);
    expect(wider.statusText).toBe('ACL update failed: 400 Parameter verification failed.');
    const noAccess = await grant('NoAccess');
    expect((noAccess.json as { message: string }).message).toBe(
      "ACL update failed: 400 Parameter verification failed.\nrole: Cannot add role 'NoAccess' - requires 'Permissions.Modify'\n",
    );
    const elsewhere = await grant('PVEVMUser', '/nodes/node01');
    expect([elsewhere.status, elsewhere.statusText]).toEqual([
      403,
      'Permission check failed (/nodes/node01, Permissions.Modify)',
    ]);
  });
});
