// The built-in roles each simulated release lists (pve-access-control create_roles at 8.2.x for
// PVE 8.4, 9.1.x for 9.1: 9.x dropped VM.Monitor and added VM.GuestAgent.* and VM.Replicate),
// and a cluster whose user.cfg is loaded as a whole, answering as pve-access-control 9.1.1 and
// 8.2.x answer on that same file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type PveVersion,
  type RunningSimulator,
  type SimCluster,
  startSimulator,
} from '../../src/sim/simulator.js';
import { call } from './helpers/https-call.js';

const sims = new Map<PveVersion, RunningSimulator<SimCluster>>();

beforeAll(async () => {
  for (const pveVersion of ['8.4', '9.1'] as const) {
    sims.set(pveVersion, await startSimulator({ port: 0, speed: 100, authFailureDelayMs: 0, pveVersion }));
  }
});
afterAll(async () => {
  await Promise.all([...sims.values()].map((sim) => sim.stop()));
});

async function get(version: PveVersion, path: string, params?: Record<string, string>) {
  const sim = sims.get(version) as RunningSimulator<SimCluster>;
  const query = params ? `?${new URLSearchParams(params)}` : '';
  return call(sim.hosts[0] ?? '', sim.caPem, 'GET', `/api2/json${path}${query}`, {
    headers: { Authorization: `PVEAPIToken=${sim.tokenId}=${sim.tokenSecret}` },
  });
}

async function data(version: PveVersion, path: string, params?: Record<string, string>): Promise<unknown> {
  const answer = await get(version, path, params);
  expect(answer.status, `${version} GET ${path}`).toBe(200);
  return (answer.json as { data: unknown }).data;
}

const ROLE_IDS = [
  'Administrator',
  'NoAccess',
  'PVEAdmin',
  'PVEAuditor',
  'PVEDatastoreAdmin',
  'PVEDatastoreUser',
  'PVEMappingAdmin',
  'PVEMappingUser',
  'PVEPoolAdmin',
  'PVEPoolUser',
  'PVESDNAdmin',
  'PVESDNUser',
  'PVESysAdmin',
  'PVETemplateUser',
  'PVEUserAdmin',
  'PVEVMAdmin',
  'PVEVMUser',
];

const VM_ADMIN: Record<PveVersion, string> = {
  '8.4':
    'VM.Allocate,VM.Audit,VM.Backup,VM.Clone,VM.Config.CDROM,VM.Config.CPU,VM.Config.Cloudinit,VM.Config.Disk,VM.Config.HWType,VM.Config.Memory,VM.Config.Network,VM.Config.Options,VM.Console,VM.Migrate,VM.Monitor,VM.PowerMgmt,VM.Snapshot,VM.Snapshot.Rollback',
  '9.1':
    'VM.Allocate,VM.Audit,VM.Backup,VM.Clone,VM.Config.CDROM,VM.Config.CPU,VM.Config.Cloudinit,VM.Config.Disk,VM.Config.HWType,VM.Config.Memory,VM.Config.Network,VM.Config.Options,VM.Console,VM.GuestAgent.Audit,VM.GuestAgent.FileRead,VM.GuestAgent.FileSystemMgmt,VM.GuestAgent.FileWrite,VM.GuestAgent.Unrestricted,VM.Migrate,VM.PowerMgmt,VM.Replicate,VM.Snapshot,VM.Snapshot.Rollback',
};
const VM_USER: Record<PveVersion, string> = {
  '8.4': 'VM.Audit,VM.Backup,VM.Config.CDROM,VM.Config.Cloudinit,VM.Console,VM.PowerMgmt',
  '9.1':
    'VM.Audit,VM.Backup,VM.Config.CDROM,VM.Config.Cloudinit,VM.Console,VM.GuestAgent.Audit,VM.GuestAgent.FileRead,VM.GuestAgent.FileSystemMgmt,VM.GuestAgent.FileWrite,VM.PowerMgmt',
};
const AUDITOR: Record<PveVersion, string> = {
  '8.4': 'Datastore.Audit,Mapping.Audit,Pool.Audit,SDN.Audit,Sys.Audit,VM.Audit',
  '9.1': 'Datastore.Audit,Mapping.Audit,Pool.Audit,SDN.Audit,Sys.Audit,VM.Audit,VM.GuestAgent.Audit',
};

describe.each(['8.4', '9.1'] as const)('the built-in roles of PVE %s', (version) => {
  it('are listed with their privileges, all special', async () => {
    const roles = (await data(version, '/access/roles')) as Array<{
      roleid: string;
      privs: string;
      special: number;
    }>;
    expect(roles.map((role) => role.roleid)).toEqual(ROLE_IDS);
    expect(roles.every((role) => role.special === 1)).toBe(true);
    const privs = Object.fromEntries(roles.map((role) => [role.roleid, role.privs]));
    expect(privs.PVEVMAdmin).toBe(VM_ADMIN[version]);
    expect(privs.PVEVMUser).toBe(VM_USER[version]);
    expect(privs.PVEAuditor).toBe(AUDITOR[version]);
    expect(privs.NoAccess).toBe('');
    expect(privs.PVETemplateUser).toBe('VM.Audit,VM.Clone');
    // Administrator holds every privilege of the release: 42 on 8.4, 47 on 9.1.
    expect(privs.Administrator?.split(',')).toHaveLength(version === '8.4' ? 42 : 47);
    expect(privs.PVEAdmin).not.toContain('Mapping.Modify');
    expect(privs.PVEAdmin).not.toContain('Sys.Modify');
  });

  it('are read one by one as a privilege map', async () => {
    expect(await data(version, '/access/roles/PVEVMUser')).toEqual(
      Object.fromEntries(VM_USER[version].split(',').map((privilege) => [privilege, 1])),
    );
    const unknown = await get(version, '/access/roles/NoSuchRole');
    expect([unknown.status, (unknown.json as { message: string }).message]).toEqual([
      500,
      "role 'NoSuchRole' does not exist\n",
    ]);
  });

  it('limit the auditor token to PVEAuditor', async () => {
    const sim = sims.get(version) as RunningSimulator<SimCluster>;
    const answer = await data(version, '/access/permissions', {
      userid: sim.auditorTokenId,
      path: '/vms/100',
    });
    expect(
      Object.keys((answer as Record<string, object>)['/vms/100'] ?? {})
        .sort()
        .join(','),
    ).toBe(AUDITOR[version]);
  });
});

/** A user.cfg with a group ACL, user ACLs (one not propagating), NoAccess, a pool and a privsep token. */
const USER_CFG = `user:root@pam:1:0:::root@example.com:::
user:alice@pve:1:0:Alice:Example:alice@example.com:::
user:bob@pve:1:0::::::
user:chatops@pve:1:0::::chat bot owner::
token:chatops@pve!bot:0:1::

group:ops:alice@pve,bob@pve:operators:

pool:prod::100,101:ceph-vm:

acl:1:/:@ops:PVEAuditor:
acl:1:/vms/100:alice@pve:PVEVMUser:
acl:1:/pool/prod:alice@pve:PVEVMAdmin:
acl:0:/nodes/node01:alice@pve:PVESysAdmin:
acl:1:/vms/102:bob@pve:NoAccess:
acl:1:/:chatops@pve:PVEAdmin:
acl:1:/:chatops@pve!bot:PVEAuditor:
acl:1:/access:chatops@pve!bot:PVEAuditor,PVEUserAdmin:
acl:1:/vms:chatops@pve!bot:PVEVMAdmin:
`;

describe.each(['8.4', '9.1'] as const)('a loaded user.cfg on PVE %s', (version) => {
  beforeAll(() => {
    sims.get(version)?.cluster.access.loadUserCfg(USER_CFG);
  });

  it("gives alice on /vms/100 her user ACL (the group's replaced) plus the pool's roles, not propagated", async () => {
    const user = VM_USER[version].split(',');
    const admin = VM_ADMIN[version].split(',');
    const expected = Object.fromEntries(
      admin.map((privilege) => [privilege, user.includes(privilege) ? 1 : 0]),
    );
    expect(await data(version, '/access/permissions', { userid: 'alice@pve', path: '/vms/100' })).toEqual({
      '/vms/100': expected,
    });
  });

  it('keeps only a non-propagating ACL on its own path, and NoAccess empty', async () => {
    const all = (await data(version, '/access/permissions', { userid: 'alice@pve' })) as Record<
      string,
      object
    >;
    expect(all['/nodes/node01']).toEqual({ 'Sys.Audit': 0, 'Sys.Console': 0, 'Sys.Syslog': 0 });
    expect(all['/storage/ceph-vm']).toMatchObject({ 'VM.Migrate': 0 });
    expect(await data(version, '/access/permissions', { userid: 'bob@pve', path: '/vms/102' })).toEqual({
      '/vms/102': {},
    });
    expect(await data(version, '/access/permissions', { userid: 'nobody@pve' })).toEqual({});
  });

  it("gives the privsep token its most specific ACL, within its user's privileges", async () => {
    // The token's PVEVMAdmin on /vms replaces its PVEAuditor from / there; its user has PVEAdmin.
    const owner = (await data(version, '/access/permissions', {
      userid: 'chatops@pve',
      path: '/vms',
    })) as Record<string, Record<string, number>>;
    expect(owner['/vms']).toMatchObject({ 'Sys.Audit': 1, 'VM.Migrate': 1 });
    const own = (await data(version, '/access/permissions')) as Record<string, Record<string, number>>;
    expect(own['/vms']).toMatchObject({ 'VM.Migrate': 1, 'VM.Allocate': 1 });
    expect(own['/vms']).not.toHaveProperty('Sys.Audit');
    expect(own['/access']).toMatchObject({ 'User.Modify': 1, 'Sys.Audit': 1 });
    expect(own['/']).not.toHaveProperty('User.Modify');
    const users = (await data(version, '/access/users')) as Array<Record<string, unknown>>;
    expect(users.find((user) => user.userid === 'chatops@pve')).toEqual({
      userid: 'chatops@pve',
      comment: 'chat bot owner',
      email: '',
      enable: 1,
      expire: 0,
      'realm-type': 'pve',
    });
  });
});
