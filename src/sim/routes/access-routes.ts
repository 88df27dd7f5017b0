// /access: users, groups, roles, ACLs and effective permissions (pve-access-control
// src/PVE/API2/User.pm, Group.pm, Role.pm, ACL.pm and AccessControl.pm `permissions`), served
// from the cluster's access control. The schema's `permissions` are checked by the platform; the
// checks these handlers make in their own code are made here, with PVE's texts.
import { normalizeAclPath, splitTokenId } from '../access-ids.js';
import {
  AccessConfigError,
  AccessParamError,
  isValidAclPath,
  type SimUser,
  type UserChanges,
} from '../cluster/access-control.js';
import type { SimCluster } from '../cluster/sim-cluster.js';
import { PveHttpError } from '../pve-http-error.js';
import { splitList } from '../server/param-formats.js';
import type { RouteRegistry, SimRequest } from '../types.js';
import { bool, optBool, optInt, optStr, str } from './request-params.js';

/**
 * AccessControl.pm lock_user_config(code, errmsg): without quorum cfs_lock_file fails; a `die`
 * in the code comes back as `<errmsg>: <text>`, a parameter exception stringified into it
 * (`400 Parameter verification failed.` then one `<param>: <text>` line each). Always a 500.
 */
function lockUserConfig<T>(cluster: SimCluster, errmsg: string, code: () => T): T {
  if (!cluster.isQuorate()) throw PveHttpError.die(`${errmsg}: cfs-lock 'file-user_cfg' error: no quorum!`);
  try {
    return code();
  } catch (error) {
    if (error instanceof AccessConfigError || error instanceof AccessParamError) {
      throw PveHttpError.die(`${errmsg}: ${error.message}`);
    }
    throw error;
  }
}

/** User.pm $extract_user_data: the user as user.cfg has it after a write and a read. */
function userData(user: SimUser): Record<string, unknown> {
  const out: Record<string, unknown> = { enable: user.enable ? 1 : 0, expire: user.expire };
  if (user.firstname !== undefined) out.firstname = user.firstname;
  if (user.lastname !== undefined) out.lastname = user.lastname;
  // parse_user_config keeps the email field even when empty, as long as a later field (comment,
  // keys) is not: split drops only trailing empty fields.
  if (user.email !== undefined) out.email = user.email;
  else if (user.comment !== undefined || user.keys !== undefined) out.email = '';
  if (user.comment !== undefined) out.comment = user.comment;
  if (user.keys !== undefined) out.keys = user.keys;
  return out;
}

function userGroups(cluster: SimCluster, userid: string): string[] {
  return [...cluster.access.groups]
    .filter(([, group]) => group.users.has(userid))
    .map(([name]) => name)
    .sort();
}

/** `$data->{tokens}`: the user's tokens by name, or null when it has none (an undef value). */
function tokenMap(user: SimUser): Record<string, unknown> | null {
  if (user.tokens.size === 0) return null;
  return Object.fromEntries(
    [...user.tokens].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, token]) => [name, tokenData(token)]),
  );
}

function tokenData(token: { privsep: boolean; expire: number; comment?: string }): Record<string, unknown> {
  return {
    privsep: token.privsep ? 1 : 0,
    expire: token.expire,
    ...(token.comment !== undefined ? { comment: token.comment } : {}),
  };
}

function userChanges(request: SimRequest): UserChanges {
  const changes: UserChanges = {};
  const enable = optBool(request, 'enable');
  if (enable !== undefined) changes.enable = enable;
  const expire = optInt(request, 'expire');
  if (expire !== undefined) changes.expire = expire;
  for (const key of ['firstname', 'lastname', 'email', 'comment', 'keys', 'groups'] as const) {
    const value = optStr(request, key);
    if (value !== undefined) changes[key] = value;
  }
  if (bool(request, 'append')) changes.append = true;
  return changes;
}

export function registerAccessRoutes(registry: RouteRegistry, cluster: SimCluster): void {
  const access = cluster.access;

  // AccessControl.pm `permissions`: one's own (or one's tokens'), others' with Sys.Audit on /access.
  registry.on('GET', '/access/permissions', (request) => {
    const authid = request.user;
    const userid = optStr(request, 'userid') ?? authid;
    const owner = splitTokenId(userid)?.[0];
    if (!(userid === authid || owner === authid)) access.assertPrivileges(authid, '/access', ['Sys.Audit']);
    const path = optStr(request, 'path');
    // `if (my $path = $param->{path})`: the path as given, not normalised.
    if (path !== undefined && path !== '' && path !== '0')
      return { [path]: access.permissions(userid, path) };
    return access.effectivePermissions(userid);
  });

  // User.pm index: everyone with User.Modify or Sys.Audit on /access/groups, else the caller and
  // the members of the groups it holds one of them on.
  registry.on('GET', '/access/users', (request) => {
    const authid = request.user;
    const privileges = ['User.Modify', 'Sys.Audit'];
    const everyone = access.check(authid, '/access/groups', privileges, true);
    const visible = access.usersVisibleThroughGroups(authid, privileges);
    const full = bool(request, 'full');
    const enabled = optBool(request, 'enabled');
    const out: Array<Record<string, unknown>> = [];
    for (const userid of [...access.users.keys()].sort()) {
      if (!(everyone || userid === authid || visible.has(userid))) continue;
      const user = access.users.get(userid) as SimUser;
      if (enabled !== undefined && user.enable !== enabled) continue;
      const entry = userData(user);
      if (full) {
        entry.groups = userGroups(cluster, userid).join(',');
        entry.tokens =
          user.tokens.size === 0
            ? null
            : [...user.tokens]
                .sort(([a], [b]) => (a < b ? -1 : 1))
                .map(([tokenid, token]) => ({ tokenid, ...tokenData(token) }));
      }
      const realmType = access.realmType(userid);
      if (realmType !== undefined) entry['realm-type'] = realmType;
      entry.userid = userid;
      out.push(entry);
    }
    return out;
  });

  registry.on('POST', '/access/users', (request) => {
    const userid = str(request, 'userid');
    lockUserConfig(cluster, 'create user failed', () => {
      const password = optStr(request, 'password');
      access.createUser(userid, { ...userChanges(request), ...(password !== undefined ? { password } : {}) });
    });
    return null;
  });

  registry.on('GET', '/access/users/{userid}', (request) => {
    const userid = str(request, 'userid');
    const user = access.users.get(userid);
    if (!user) throw PveHttpError.die(`no such user ('${userid}')`);
    return { ...userData(user), groups: userGroups(cluster, userid), tokens: tokenMap(user) };
  });

  registry.on('PUT', '/access/users/{userid}', (request) => {
    const userid = str(request, 'userid');
    lockUserConfig(cluster, 'update user failed', () => access.updateUser(userid, userChanges(request)));
    return null;
  });

  registry.on('DELETE', '/access/users/{userid}', (request) => {
    const userid = str(request, 'userid');
    lockUserConfig(cluster, 'delete user failed', () => access.deleteUser(userid));
    return null;
  });

  // Group.pm index: the groups the caller holds User.Modify, Sys.Audit or Group.Allocate on.
  registry.on('GET', '/access/groups', (request) => {
    const privileges = ['User.Modify', 'Sys.Audit', 'Group.Allocate'];
    return [...access.groups.keys()]
      .sort()
      .filter((groupid) => access.check(request.user, `/access/groups/${groupid}`, privileges, true))
      .map((groupid) => {
        const group = access.groups.get(groupid);
        return {
          groupid,
          ...(group?.comment !== undefined ? { comment: group.comment } : {}),
          users: [...(group?.users ?? [])].sort().join(','),
        };
      });
  });

  registry.on('POST', '/access/groups', (request) => {
    const groupid = str(request, 'groupid');
    lockUserConfig(cluster, 'create group failed', () =>
      access.createGroup(groupid, optStr(request, 'comment')),
    );
    return null;
  });

  registry.on('GET', '/access/groups/{groupid}', (request) => {
    const groupid = str(request, 'groupid');
    const group = access.groups.get(groupid);
    if (!group) throw PveHttpError.die(`group '${groupid}' does not exist`);
    return {
      members: [...group.users].sort(),
      ...(group.comment !== undefined ? { comment: group.comment } : {}),
    };
  });

  registry.on('PUT', '/access/groups/{groupid}', (request) => {
    const groupid = str(request, 'groupid');
    lockUserConfig(cluster, 'update group failed', () =>
      access.updateGroup(groupid, optStr(request, 'comment')),
    );
    return null;
  });

  registry.on('DELETE', '/access/groups/{groupid}', (request) => {
    const groupid = str(request, 'groupid');
    lockUserConfig(cluster, 'delete group failed', () => access.deleteGroup(groupid));
    return null;
  });

  // Role.pm index: every role, its privileges sorted and comma-joined, `special` for built-in ones.
  registry.on('GET', '/access/roles', () =>
    [...access.roleDefinitions()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([roleid, privileges]) => ({
        privs: [...privileges].sort().join(','),
        roleid,
        special: access.isBuiltinRole(roleid) ? 1 : 0,
      })),
  );

  registry.on('GET', '/access/roles/{roleid}', (request) => {
    const roleid = str(request, 'roleid');
    const privileges = access.roleDefinitions().get(roleid);
    if (!privileges) throw PveHttpError.die(`role '${roleid}' does not exist`);
    return Object.fromEntries([...privileges].sort().map((privilege) => [privilege, 1]));
  });

  // ACL.pm read_acl: with Sys.Audit on /access every entry, else the paths one may modify.
  registry.on('GET', '/access/acl', (request) => {
    const authid = request.user;
    const audit = access.check(authid, '/access', ['Sys.Audit']);
    const mayModify = new Map<string, boolean>();
    return access.aclEntries().filter((entry) => {
      if (audit) return true;
      let allowed = mayModify.get(entry.path);
      if (allowed === undefined) {
        allowed = access.checkPermModify(authid, entry.path);
        mayModify.set(entry.path, allowed);
      }
      return allowed;
    });
  });

  // ACL.pm update_acl.
  registry.on('PUT', '/access/acl', (request) => {
    const users = optStr(request, 'users');
    const groups = optStr(request, 'groups');
    const tokens = optStr(request, 'tokens');
    if (!(users || groups || tokens)) {
      const text = "either 'users', 'groups' or 'tokens' is required.";
      throw PveHttpError.parameters({ users: text, groups: text, tokens: text });
    }
    const raw = str(request, 'path');
    const path = normalizeAclPath(raw);
    const remove = bool(request, 'delete');
    if (!path || (!remove && !isValidAclPath(path))) {
      throw PveHttpError.parameters({ path: `invalid ACL path '${raw}'` });
    }
    lockUserConfig(cluster, 'ACL update failed', () =>
      access.updateAcl(request.user, {
        path,
        roles: splitList(str(request, 'roles')),
        users: users ? splitList(users) : [],
        groups: groups ? splitList(groups) : [],
        tokens: tokens ? splitList(tokens) : [],
        propagate: optBool(request, 'propagate') ?? true,
        delete: remove,
      }),
    );
    return null;
  });
}
