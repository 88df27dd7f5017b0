// PVE's users, roles and ACLs (pve-access-control). The bot reads what a person's PVE user may do
// (`GET /access/permissions` with `userid` and `path`: its token needs Sys.Audit on /access to ask
// about anyone but itself) and the roles, to name the one an admin could grant. The writes are
// what an admin (or a test, against the simulator) uses to grant them.
import type { PveParams } from './encode-params.js';
import type { PveTransport } from './pve-transport.js';
import {
  type AclEntry,
  aclSchema,
  groupsSchema,
  type Permissions,
  type PveRole,
  permissionsSchema,
  rolesSchema,
  type UserEntry,
  usersSchema,
} from './schemas/access-schemas.js';
import { nullSchema } from './schemas/guest-schemas.js';

/**
 * `GET /access/permissions`: without `userid` the caller's own (the bot's token); without `path`
 * every path PVE reports on (the ACL paths, the pools' members and its default paths). Another
 * user's needs Sys.Audit on /access (403 `Permission check failed (/access, Sys.Audit)`).
 */
export function readPermissions(
  transport: PveTransport,
  query: { userid?: string; path?: string },
  signal?: AbortSignal,
): Promise<Permissions> {
  return transport.request('GET', '/access/permissions', {
    params: { userid: query.userid, path: query.path },
    schema: permissionsSchema,
    signal,
  });
}

/** Every role, built-in (`special`) and custom, with its privileges. */
export function listRoles(transport: PveTransport, signal?: AbortSignal): Promise<PveRole[]> {
  return transport.request('GET', '/access/roles', { schema: rolesSchema, signal });
}

export function listAcl(transport: PveTransport, signal?: AbortSignal): Promise<AclEntry[]> {
  return transport.request('GET', '/access/acl', { schema: aclSchema, signal });
}

export interface AclChange {
  path: string;
  roles: string[];
  users?: string[];
  groups?: string[];
  tokens?: string[];
  /** Default (PVE's): true. */
  propagate?: boolean;
  /** Remove these roles from these users/groups/tokens on the path instead of granting them. */
  delete?: boolean;
}

/** `PUT /access/acl`, as `pveum acl modify` does. */
export async function updateAcl(transport: PveTransport, change: AclChange, signal?: AbortSignal) {
  const params: PveParams = {
    path: change.path,
    roles: change.roles.join(','),
    users: change.users?.join(','),
    groups: change.groups?.join(','),
    tokens: change.tokens?.join(','),
    propagate: change.propagate,
    delete: change.delete,
  };
  await transport.request('PUT', '/access/acl', { params, schema: nullSchema, signal });
}

export function listUsers(transport: PveTransport, signal?: AbortSignal): Promise<UserEntry[]> {
  return transport.request('GET', '/access/users', { schema: usersSchema, signal });
}

export interface NewUser {
  userid: string;
  groups?: string[];
  comment?: string;
  /** Only for the pve realm. */
  password?: string;
}

/** `POST /access/users`, as `pveum user add` does. */
export async function createUser(transport: PveTransport, user: NewUser, signal?: AbortSignal) {
  const params: PveParams = {
    userid: user.userid,
    groups: user.groups?.join(','),
    comment: user.comment,
    password: user.password,
  };
  await transport.request('POST', '/access/users', { params, schema: nullSchema, signal });
}

export function listGroups(transport: PveTransport, signal?: AbortSignal) {
  return transport.request('GET', '/access/groups', { schema: groupsSchema, signal });
}

export async function createGroup(
  transport: PveTransport,
  group: { groupid: string; comment?: string },
  signal?: AbortSignal,
) {
  await transport.request('POST', '/access/groups', {
    params: { groupid: group.groupid, comment: group.comment },
    schema: nullSchema,
    signal,
  });
}
