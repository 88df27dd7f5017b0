// Privilege checks as pve-access-control PVE/RPCEnvironment.pm does them, for a token whose
// privileges hold on every path (an ACL on `/` with propagation): the method's `permissions`
// from the API schema (check_api2_permissions, exec_api2_perm_check; before the proxy to the
// target node and before the parameters are verified), then the checks some handlers make in
// their code (`user: all` methods whose description names the privilege).
import { PveHttpError } from '../pve-http-error.js';

/**
 * The PVEAuditor role (pve-access-control PVE/AccessControl.pm create_roles: every category's
 * `audit` privileges).
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

type Params = Record<string, unknown>;

/** PVE::Exception raise_perm_exc: 403 "Permission check failed[ (<what>)]". */
function denied(what?: string): PveHttpError {
  return new PveHttpError(403, `Permission check failed${what ? ` (${what})` : ''}`);
}

/** PVE::Tools::template_replace then PVE::AccessControl::normalize_path. */
function acPath(template: string, params: Params): string {
  const path = template.replace(/\{([^}]+)\}/g, (_, name: string) => String(params[name] ?? ''));
  return `/${path.split('/').filter(Boolean).join('/')}`;
}

/** RPCEnvironment check / check_any: every privilege (or one of them); they hold on every path. */
function checkPrivileges(privileges: ReadonlySet<string>, wanted: string[], any: boolean): boolean {
  return any ? wanted.some((p) => privileges.has(p)) : wanted.every((p) => privileges.has(p));
}

function missing(privileges: ReadonlySet<string>, path: string, wanted: string[], any: boolean): string {
  if (any) return `${path}, ${wanted.join('|')}`;
  return `${path}, ${wanted.find((p) => !privileges.has(p)) ?? ''}`;
}

/** exec_api2_perm_check for `and`, `or` and `perm` (with `any` and `require_param`). */
function execCheck(
  check: unknown[],
  privileges: ReadonlySet<string>,
  params: Params,
  noerr: boolean,
): boolean {
  const [test, ...rest] = check;
  if (test === 'and') {
    for (const sub of rest) execCheck(sub as unknown[], privileges, params, false);
    return true;
  }
  if (test === 'or') {
    if (rest.some((sub) => execCheck(sub as unknown[], privileges, params, true))) return true;
    if (noerr) return false;
    throw denied();
  }
  if (test === 'perm') {
    const [template, wanted, ...optionList] = rest as [string, string[], ...unknown[]];
    const options = new Map<unknown, unknown>();
    for (let i = 0; i + 1 < optionList.length; i += 2) options.set(optionList[i], optionList[i + 1]);
    const required = options.get('require_param');
    if (typeof required === 'string' && params[required] === undefined) {
      if (noerr) return false;
      throw denied();
    }
    const path = acPath(template, params);
    const any = Boolean(options.get('any'));
    if (checkPrivileges(privileges, wanted, any)) return true;
    if (noerr) return false;
    throw denied(missing(privileges, path, wanted, any));
  }
  // userid-group, userid-param…: methods this simulator does not serve.
  throw denied();
}

/** check_api2_permissions for a non-root user. */
export function checkApiPermissions(
  permissions: unknown,
  privileges: ReadonlySet<string>,
  params: Params,
): void {
  if (!permissions || typeof permissions !== 'object') throw denied('user != root@pam');
  const perm = permissions as { user?: string; check?: unknown[] };
  if (perm.user === 'all' || perm.user === 'world') return;
  if (perm.check) {
    execCheck(perm.check, privileges, params, false);
    return;
  }
  throw denied();
}

/** The vmid a replication job id (`<vmid>-<jobnum>`) belongs to. */
function jobGuest(params: Params): string {
  return String(params.id ?? '').split('-')[0] ?? '';
}

/**
 * The checks `user: all` handlers make themselves (after the parameters are verified), for the
 * methods the simulator serves that change something.
 */
const HANDLER_CHECKS: Record<string, (params: Params, user: string) => Array<[string, string]>> = {
  // qemu-server create_vm / pve-container create_vm: the pool, else the vmid.
  'POST /nodes/{node}/qemu': (p) => [[p.pool ? `/pool/${p.pool}` : `/vms/${p.vmid}`, 'VM.Allocate']],
  'POST /nodes/{node}/lxc': (p) => [[p.pool ? `/pool/${p.pool}` : `/vms/${p.vmid}`, 'VM.Allocate']],
  // pve-manager Nodes.pm migrateall: VM.Migrate on / (or, with vms, on each of them).
  'POST /nodes/{node}/migrateall': (p) =>
    p.vms === undefined
      ? [['/', 'VM.Migrate']]
      : String(p.vms)
          .split(/[,;\s]+/)
          .filter(Boolean)
          .map((vmid) => [`/vms/${vmid}`, 'VM.Migrate']),
  // pve-manager ReplicationConfig.pm create/update/delete, Replication.pm schedule_now.
  'POST /cluster/replication': (p) => [[`/vms/${jobGuest(p)}`, 'VM.Replicate']],
  'PUT /cluster/replication/{id}': (p) => [[`/vms/${jobGuest(p)}`, 'VM.Replicate']],
  'DELETE /cluster/replication/{id}': (p) => [[`/vms/${jobGuest(p)}`, 'VM.Replicate']],
  'POST /nodes/{node}/replication/{id}/schedule_now': (p) => [[`/vms/${jobGuest(p)}`, 'VM.Replicate']],
  // pve-manager Tasks.pm stop_task: Sys.Modify on the node unless the user owns the task.
  'DELETE /nodes/{node}/tasks/{upid}': (p, user) =>
    String(p.upid ?? '').split(':')[7] === user ? [] : [[`/nodes/${p.node}`, 'Sys.Modify']],
};

export function checkHandlerPermissions(
  endpoint: string,
  privileges: ReadonlySet<string>,
  params: Params,
  user: string,
): void {
  for (const [path, privilege] of HANDLER_CHECKS[endpoint]?.(params, user) ?? []) {
    if (!privileges.has(privilege)) throw denied(`${path}, ${privilege}`);
  }
}
