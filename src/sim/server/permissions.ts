// Privilege checks as pve-access-control PVE/RPCEnvironment.pm does them, with the privileges
// the requester holds on each ACL path (SimAccessView.permissions): the method's `permissions`
// from the API schema (check_api2_permissions, exec_api2_perm_check; before the proxy to the
// target node and before the parameters are verified), then the checks some handlers make in
// their code (`user: all` methods whose description names the privilege). root@pam is never
// checked.
import { normalizeAclPath, usernameError, userRealm } from '../access-ids.js';
import { PveHttpError } from '../pve-http-error.js';
import type { SimAccessView } from '../types.js';
import { splitList } from './param-formats.js';

/**
 * The PVEAuditor role (pve-access-control PVE/AccessControl.pm create_roles: every category's
 * `audit` privileges), for the auditor token of a domain without access control.
 */
export const AUDITOR_PRIVILEGES: ReadonlySet<string> = new Set([
  'VM.Audit',
  'VM.GuestAgent.Audit',
  'Sys.Audit',
  'Datastore.Audit',
  'SDN.Audit',
  'Pool.Audit',
  'Mapping.Audit',
]);

/** A view where the identity holds `privileges` on every path (an ACL on `/` that propagates). */
export function everywhere(privileges: ReadonlySet<string>): SimAccessView {
  const held = Object.fromEntries([...privileges].map((p) => [p, 1]));
  return {
    permissions: () => held,
    userExists: () => false,
    userEnabled: () => false,
    groupMembers: () => new Map(),
    verifyToken: () => false,
    authenticateUser: () => false,
    apiCapabilities: () => ({}),
    setTokenSecret: () => undefined,
  };
}

type Params = Record<string, unknown>;

/** PVE::Exception raise_perm_exc: 403 "Permission check failed[ (<what>)]". */
export function denied(what?: string): PveHttpError {
  return new PveHttpError(403, `Permission check failed${what ? ` (${what})` : ''}`);
}

/** PVE::Tools::template_replace then PVE::AccessControl::normalize_path. */
function acPath(template: string, params: Params): string | undefined {
  return normalizeAclPath(template.replace(/\{([^}]+)\}/g, (_, name: string) => String(params[name] ?? '')));
}

/** The requester as RPCEnvironment's checks see it: its id and where its privileges are looked up. */
export class Requester {
  readonly authid: string;
  readonly access: SimAccessView;

  constructor(authid: string, access: SimAccessView) {
    this.authid = authid;
    this.access = access;
  }

  /** check / check_any with $noerr. */
  has(path: string, privileges: readonly string[], any = false): boolean {
    const held = this.access.permissions(this.authid, path);
    return any
      ? privileges.some((p) => held[p] !== undefined)
      : privileges.every((p) => held[p] !== undefined);
  }

  /** check / check_any: raise_perm_exc naming the path and the (first) missing privilege. */
  check(path: string, privileges: readonly string[], any = false): void {
    const held = this.access.permissions(this.authid, path);
    if (any) {
      if (!privileges.some((p) => held[p] !== undefined)) throw denied(`${path}, ${privileges.join('|')}`);
      return;
    }
    for (const privilege of privileges)
      if (held[privilege] === undefined) throw denied(`${path}, ${privilege}`);
  }

  /** check_perm_modify. */
  hasPermModify(path: string): boolean {
    const wanted = ['Permissions.Modify'];
    if (/^\/storage\/.+$/.test(path)) wanted.push('Datastore.Allocate');
    else if (/^\/vms\/.+$/.test(path)) wanted.push('VM.Allocate');
    else if (/^\/pool\/.+$/.test(path)) wanted.push('Pool.Allocate');
    return this.has(path, wanted, true);
  }

  /** filter_groups then group_member_join: the groups it holds one of `privileges` on, their users. */
  visibleGroups(privileges: readonly string[]): { groups: Set<string>; users: Set<string> } {
    const groups = new Set<string>();
    const users = new Set<string>();
    for (const [group, members] of this.access.groupMembers()) {
      if (!this.has(`/access/groups/${group}`, privileges, true)) continue;
      groups.add(group);
      for (const user of members) users.add(user);
    }
    return { groups, users };
  }
}

/** check_user_exist: a plain die (HTTP 500) when the user does not exist. */
function userMustExist(who: Requester, userid: string, noerr: boolean): boolean {
  const invalid = usernameError(userid);
  if (invalid) {
    if (noerr) return false;
    throw PveHttpError.die(invalid);
  }
  if (who.access.userExists(userid)) return true;
  if (noerr) return false;
  throw PveHttpError.die(`no such user ('${userid}')`);
}

/** exec_api2_perm_check. */
function execCheck(check: unknown[], who: Requester, params: Params, noerr: boolean): boolean {
  const [test, ...rest] = check;
  if (test === 'and') {
    for (const sub of rest) execCheck(sub as unknown[], who, params, false);
    return true;
  }
  if (test === 'or') {
    if (rest.some((sub) => execCheck(sub as unknown[], who, params, true))) return true;
    if (noerr) return false;
    throw denied();
  }
  if (test === 'perm') {
    const [template, wanted, ...optionList] = rest as [string, string[], ...unknown[]];
    const options = optionMap(optionList);
    const required = options.get('require_param');
    if (typeof required === 'string' && params[required] === undefined) {
      if (noerr) return false;
      throw denied();
    }
    const path = acPath(template, params) ?? '';
    const any = Boolean(options.get('any'));
    if (who.has(path, wanted, any)) return true;
    if (noerr) return false;
    who.check(path, wanted, any);
    return true;
  }
  if (test === 'userid-group') {
    const [privileges, ...optionList] = rest as [string[], ...unknown[]];
    const options = optionMap(optionList);
    const userid = String(params.userid ?? '');
    const groupsParam = options.get('groups_param');
    const checkExisting = !groupsParam || groupsParam !== 'create';
    if (checkExisting && !userMustExist(who, userid, noerr)) return false;
    // Any of the privileges on /access/groups covers every group, and so every user.
    if (!who.has('/access/groups', privileges, true)) {
      const visible = who.visibleGroups(privileges);
      if (groupsParam) {
        const wanted = params.groups === undefined ? [] : splitList(String(params.groups));
        if (wanted.length === 0) throw denied(`/access/groups, ${privileges.join('|')}`);
        for (const group of wanted) {
          if (!visible.groups.has(group)) throw denied(`/access/groups/${group}, ${privileges.join('|')}`);
        }
      }
      if (checkExisting && !visible.users.has(userid)) {
        if (noerr) return false;
        throw denied();
      }
    }
    return true;
  }
  if (test === 'userid-param') {
    const userid = String(params.userid ?? '');
    const invalid = usernameError(userid);
    if (invalid) throw PveHttpError.die(invalid);
    const [subtest] = rest;
    if (subtest === 'self') {
      if (!userMustExist(who, userid, noerr)) return false;
      if (who.authid === userid) return true;
      if (noerr) return false;
      throw denied();
    }
    const path = `/access/realm/${userRealm(userid)}`;
    if (who.has(path, ['Realm.AllocateUser'])) return true;
    if (noerr) return false;
    who.check(path, ['Realm.AllocateUser']);
    return true;
  }
  if (test === 'perm-modify') {
    const path = acPath(String(rest[0]), params);
    // "should already die in API2::ACL": the handler refuses the path.
    if (path === undefined) return false;
    if (who.hasPermModify(path)) return true;
    if (noerr) return false;
    const wanted = ['Permissions.Modify'];
    if (/^\/storage\/.+$/.test(path)) wanted.push('Datastore.Allocate');
    else if (/^\/vms\/.+$/.test(path)) wanted.push('VM.Allocate');
    else if (/^\/pool\/.+$/.test(path)) wanted.push('Pool.Allocate');
    throw denied(`${path}, ${wanted.join('|')}`);
  }
  throw PveHttpError.die('unknown permission test');
}

function optionMap(list: unknown[]): Map<unknown, unknown> {
  const options = new Map<unknown, unknown>();
  for (let i = 0; i + 1 < list.length; i += 2) options.set(list[i], list[i + 1]);
  return options;
}

/** check_api2_permissions for a requester other than root@pam. */
export function checkApiPermissions(permissions: unknown, who: Requester, params: Params): void {
  if (!permissions || typeof permissions !== 'object') throw denied('user != root@pam');
  const perm = permissions as { user?: string; check?: unknown[] };
  if (perm.user === 'all' || perm.user === 'world') return;
  if (perm.check) {
    execCheck(perm.check, who, params, false);
    return;
  }
  throw denied();
}

/** The vmid a replication job id (`<vmid>-<jobnum>`) belongs to. */
function jobGuest(params: Params): string {
  return String(params.id ?? '').split('-')[0] ?? '';
}

/** qemu-server / pve-container create_vm: VM.Allocate on the vmid, else on the pool. */
function allocateGuest(p: Params, who: Requester): void {
  if (who.has(`/vms/${p.vmid}`, ['VM.Allocate'])) return;
  if (p.pool && who.has(`/pool/${p.pool}`, ['VM.Allocate'])) return;
  throw denied();
}

/** pve-manager 9.x ReplicationConfig.pm and Replication.pm: VM.Replicate on the guest. */
function replicate(p: Params, who: Requester, version: string): void {
  // 8.x checks Datastore.Allocate on /storage in the schema and nothing in the handler.
  if (version.startsWith('8.')) return;
  who.check(`/vms/${jobGuest(p)}`, ['VM.Replicate']);
}

/**
 * The checks `user: all` handlers make themselves (after the parameters are verified), for the
 * methods the simulator serves that change something.
 */
const HANDLER_CHECKS: Record<string, (params: Params, who: Requester, version: string) => void> = {
  'POST /nodes/{node}/qemu': allocateGuest,
  'POST /nodes/{node}/lxc': allocateGuest,
  // pve-manager Nodes.pm migrateall: VM.Migrate on / or, with vms, on each of them.
  'POST /nodes/{node}/migrateall': (p, who) => {
    if (who.has('/', ['VM.Migrate'])) return;
    const vms = p.vms === undefined ? [] : splitList(String(p.vms));
    if (vms.length === 0) throw denied('/, VM.Migrate');
    for (const vmid of vms) who.check(`/vms/${vmid}`, ['VM.Migrate']);
  },
  'POST /cluster/replication': replicate,
  'PUT /cluster/replication/{id}': replicate,
  'DELETE /cluster/replication/{id}': replicate,
  'POST /nodes/{node}/replication/{id}/schedule_now': replicate,
  // pve-manager Tasks.pm stop_task: Sys.Modify on the node unless the task is the requester's
  // (a user also owns its tokens' tasks).
  'DELETE /nodes/{node}/tasks/{upid}': (p, who) => {
    const owner = String(p.upid ?? '').split(':')[7] ?? '';
    if (owner === who.authid || owner.split('!')[0] === who.authid) return;
    who.check(`/nodes/${p.node}`, ['Sys.Modify']);
  },
};

export function checkHandlerPermissions(
  endpoint: string,
  who: Requester,
  params: Params,
  version: string,
): void {
  HANDLER_CHECKS[endpoint]?.(params, who, version);
}
