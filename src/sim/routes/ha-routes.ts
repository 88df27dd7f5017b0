// /cluster/ha: status, resources (ha-manager add/set/remove) and migrate/relocate requests
// (the rules and groups are in ha-rules-routes.ts).
import type { HaResource } from '../cluster/cluster-model.js';
import { haResource, haSid } from '../cluster/cluster-seed.js';
import type { SimCluster } from '../cluster/sim-cluster.js';
import { PveHttpError } from '../pve-http-error.js';
import type { RouteRegistry, SimRequest } from '../types.js';
import { haManagerStatus, haStatusCurrent } from './ha-status.js';
import { optBool, optInt, optStr, str } from './request-params.js';

/** `vm:100`, `ct:200`, or the bare vmid shortcut (format pve-ha-resource-or-vm-id). */
function resolveSid(cluster: SimCluster, raw: string): string {
  if (!/^\d+$/.test(raw)) return raw;
  const guest = cluster.guest(Number(raw));
  if (!guest) throw PveHttpError.die(`unable to find VM/CT ${raw}`);
  return haSid(guest.type, guest.vmid);
}

function renderResource(resource: HaResource): Record<string, unknown> {
  const entry: Record<string, unknown> = {
    sid: resource.sid,
    type: resource.type,
    state: resource.state,
    max_restart: resource.max_restart,
    max_relocate: resource.max_relocate,
    failback: resource.failback ? 1 : 0,
    digest: '7f3e1c0a9b2d4e5f60718293a4b5c6d7e8f90123',
  };
  if (resource.comment) entry.comment = resource.comment;
  if (resource.group) entry.group = resource.group;
  return entry;
}

function requestedState(request: SimRequest): HaResource['state'] | undefined {
  const state = optStr(request, 'state');
  // `enabled` is the old spelling of `started`.
  return state === 'enabled' ? 'started' : (state as HaResource['state'] | undefined);
}

export function registerHaRoutes(registry: RouteRegistry, cluster: SimCluster): void {
  const ha = cluster.ha;
  const managed = (request: SimRequest): HaResource => {
    const sid = resolveSid(cluster, str(request, 'sid'));
    const resource = ha.resources.get(sid);
    if (!resource) throw PveHttpError.die(`no such resource '${sid}'`);
    return resource;
  };

  registry.on('GET', '/cluster/ha/status/current', (request) =>
    haStatusCurrent(cluster, request.servingNode),
  );
  registry.on('GET', '/cluster/ha/status/manager_status', (request) =>
    haManagerStatus(cluster, request.servingNode),
  );

  registry.on('GET', '/cluster/ha/resources', (request) => {
    const type = optStr(request, 'type');
    return [...ha.resources.values()]
      .filter((resource) => !type || resource.type === type)
      .map(renderResource);
  });
  registry.on('GET', '/cluster/ha/resources/{sid}', (request) => renderResource(managed(request)));

  registry.on('POST', '/cluster/ha/resources', (request) => {
    cluster.assertQuorum();
    const sid = resolveSid(cluster, str(request, 'sid'));
    if (ha.resources.has(sid)) throw PveHttpError.die(`resource ID '${sid}' already defined`);
    const [kind, id] = sid.split(':');
    const guest = cluster.guest(Number(id));
    if (!guest || (kind === 'vm') !== (guest.type === 'qemu'))
      throw PveHttpError.die(`unable to find ${sid}`);
    const resource = haResource(guest.type, guest.vmid, requestedState(request) ?? 'started');
    resource.max_restart = optInt(request, 'max_restart') ?? 1;
    resource.max_relocate = optInt(request, 'max_relocate') ?? 1;
    if (request.params.failback !== undefined) resource.failback = request.params.failback === true;
    const comment = optStr(request, 'comment');
    if (comment) resource.comment = comment;
    ha.add(resource);
    return null;
  });

  registry.on('PUT', '/cluster/ha/resources/{sid}', (request) => {
    cluster.assertQuorum();
    const resource = managed(request);
    const state = requestedState(request);
    if (request.params.max_restart !== undefined) resource.max_restart = optInt(request, 'max_restart') ?? 1;
    if (request.params.max_relocate !== undefined)
      resource.max_relocate = optInt(request, 'max_relocate') ?? 1;
    if (request.params.failback !== undefined) resource.failback = request.params.failback === true;
    const comment = optStr(request, 'comment');
    if (comment !== undefined) resource.comment = comment;
    if ((optStr(request, 'delete') ?? '').split(/[,;\s]+/).includes('comment')) delete resource.comment;
    if (state) ha.setRequestedState(resource.sid, state);
    return null;
  });

  registry.on('DELETE', '/cluster/ha/resources/{sid}', (request) => {
    cluster.assertQuorum();
    const sid = resolveSid(cluster, str(request, 'sid'));
    if (!ha.resources.has(sid)) throw PveHttpError.die(`cannot delete service '${sid}', not HA managed!`);
    ha.remove(sid);
    // PVE 9.x `purge` (default 1): the resource also leaves the HA rules, emptied rules go too.
    if (optBool(request, 'purge') ?? true) ha.rules.purgeResource(sid);
    return null;
  });

  for (const action of ['migrate', 'relocate'] as const) {
    registry.on('POST', `/cluster/ha/resources/{sid}/${action}`, (request) => {
      cluster.assertQuorum();
      const resource = managed(request);
      const node = str(request, 'node');
      cluster.assertNodeExists(node);
      ha.requestMigration(resource.sid, node);
      return { sid: resource.sid, 'requested-node': node };
    });
  }
}
