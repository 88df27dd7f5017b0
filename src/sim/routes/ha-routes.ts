// /cluster/ha: status, resources (ha-manager add/set/remove) and migrate/relocate requests
// (the rules and groups are in ha-rules-routes.ts).
import { createHash } from 'node:crypto';
import type { HaResource } from '../cluster/cluster-model.js';
import { haResource, haSid } from '../cluster/cluster-seed.js';
import type { HaManager, HaResourceOption } from '../cluster/ha-manager.js';
import type { SimCluster } from '../cluster/sim-cluster.js';
import { PveHttpError } from '../pve-http-error.js';
import type { RouteRegistry, SimRequest } from '../types.js';
import { haManagerStatus, haStatusCurrent } from './ha-status.js';
import { optBool, optInt, optStr, str } from './request-params.js';

/** `vm:100`, `ct:200`, or the bare vmid shortcut (format pve-ha-resource-or-vm-id). */
function resolveSid(cluster: SimCluster, raw: string): string {
  if (!/^\d+$/.test(raw)) return raw;
  const guest = cluster.guest(Number(raw));
  // PVE::HA::Config::parse_sid
  if (!guest) throw PveHttpError.die(`unable to detect SID from VMID - VM/CT ${raw} does not exist`);
  return haSid(guest.type, guest.vmid);
}

/**
 * resources.cfg as PVE's section config writes it (`<type>: <id>` then the set options), whose
 * SHA-1 every entry of GET /cluster/ha/resources carries as `digest`.
 */
function resourcesDigest(ha: HaManager): string {
  const text = [...ha.resources.values()]
    .map((resource) => {
      const section = renderSection(ha, resource);
      const lines = Object.entries(section)
        .filter(([key]) => key !== 'sid' && key !== 'type')
        .map(([key, value]) => `\t${key} ${value}`);
      return `${resource.type}: ${resource.vmid}\n${lines.join('\n')}\n`;
    })
    .join('\n');
  return createHash('sha1').update(text).digest('hex');
}

/** The section's own options: what was written, not the defaults PVE assumes for the rest. */
function renderSection(ha: HaManager, resource: HaResource): Record<string, unknown> {
  const written = ha.writtenOptions(resource.sid);
  const entry: Record<string, unknown> = { sid: resource.sid, type: resource.type };
  if (written.has('state')) entry.state = resource.state;
  if (written.has('max_restart')) entry.max_restart = resource.max_restart;
  if (written.has('max_relocate')) entry.max_relocate = resource.max_relocate;
  if (written.has('failback')) entry.failback = resource.failback ? 1 : 0;
  if (written.has('group') && resource.group !== undefined) entry.group = resource.group;
  if (written.has('comment') && resource.comment !== undefined) entry.comment = resource.comment;
  return entry;
}

/**
 * pve-ha-manager API2/HA/Resources.pm index/read ($api_copy_config): the raw section plus sid and
 * the file's digest; no defaults filled in (only the status API does that), and no group on 9.x.
 * 4.0 (PVE 8.4) adds `errors.group` to an entry whose group does not exist.
 */
function renderResource(ha: HaManager, resource: HaResource, digest: string): Record<string, unknown> {
  const entry: Record<string, unknown> = { ...renderSection(ha, resource), digest };
  if (entry.group !== undefined && !ha.groups.has(resource.group ?? ''))
    entry.errors = { group: `group '${resource.group}' does not exist` };
  return entry;
}

/** PVE 8.x `group` of a resource (POST/PUT …/resources); 9.x has no groups to put it in. */
function writeGroup(cluster: SimCluster, request: SimRequest, resource: HaResource): boolean {
  const group = optStr(request, 'group');
  if (cluster.release.ha.placement !== 'groups' || group === undefined) return false;
  resource.group = group;
  return true;
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
    const digest = resourcesDigest(ha);
    return [...ha.resources.values()]
      .filter((resource) => !type || resource.type === type)
      .map((resource) => renderResource(ha, resource, digest));
  });
  registry.on('GET', '/cluster/ha/resources/{sid}', (request) =>
    renderResource(ha, managed(request), resourcesDigest(ha)),
  );

  registry.on('POST', '/cluster/ha/resources', (request) => {
    cluster.assertQuorum();
    const sid = resolveSid(cluster, str(request, 'sid'));
    const [kind, id] = sid.split(':');
    const guest = cluster.guest(Number(id));
    // PVE::HA::Resources::PVEVM/PVECT exists, before the domain lock.
    if (!guest) throw PveHttpError.die(`resource '${sid}' does not exist in cluster`);
    if ((kind === 'vm') !== (guest.type === 'qemu'))
      throw PveHttpError.die(
        `resource '${sid}' - guest with ID ${guest.vmid} is not a ${kind === 'vm' ? 'VM' : 'container'}`,
      );
    // Inside lock_ha_domain(..., "create resource failed"): pve-cluster re-raises the error
    // unchanged (no "error during cfs-locked" part since pve-cluster e085fe6), after the prefix.
    if (ha.resources.has(sid))
      throw PveHttpError.die(`create resource failed: resource ID '${sid}' already defined`);
    const resource = haResource(guest.type, guest.vmid, requestedState(request) ?? 'started');
    const written: HaResourceOption[] = [];
    if (request.params.state !== undefined) written.push('state');
    if (request.params.max_restart !== undefined) {
      resource.max_restart = optInt(request, 'max_restart') ?? 1;
      written.push('max_restart');
    }
    if (request.params.max_relocate !== undefined) {
      resource.max_relocate = optInt(request, 'max_relocate') ?? 1;
      written.push('max_relocate');
    }
    if (request.params.failback !== undefined) {
      resource.failback = request.params.failback === true;
      written.push('failback');
    }
    const comment = optStr(request, 'comment');
    if (comment) {
      resource.comment = comment;
      written.push('comment');
    }
    if (writeGroup(cluster, request, resource)) written.push('group');
    ha.add(resource, written);
    return null;
  });

  registry.on('PUT', '/cluster/ha/resources/{sid}', (request) => {
    cluster.assertQuorum();
    const resource = managed(request);
    const state = requestedState(request);
    const sid = resource.sid;
    // pve-ha-manager 4.0 Resources.pm update, before writing anything.
    const group = optStr(request, 'group');
    if (cluster.release.ha.placement === 'groups' && group && !ha.groups.has(group))
      throw PveHttpError.die(`HA group '${group}' does not exist`);
    if (writeGroup(cluster, request, resource)) ha.setWritten(sid, 'group');
    if (request.params.max_restart !== undefined) {
      resource.max_restart = optInt(request, 'max_restart') ?? 1;
      ha.setWritten(sid, 'max_restart');
    }
    if (request.params.max_relocate !== undefined) {
      resource.max_relocate = optInt(request, 'max_relocate') ?? 1;
      ha.setWritten(sid, 'max_relocate');
    }
    if (request.params.failback !== undefined) {
      resource.failback = request.params.failback === true;
      ha.setWritten(sid, 'failback');
    }
    const comment = optStr(request, 'comment');
    if (comment !== undefined) {
      resource.comment = comment;
      ha.setWritten(sid, 'comment');
    }
    // `delete` drops options from the section: PVE's defaults apply again.
    for (const key of (optStr(request, 'delete') ?? '').split(/[,;\s]+/)) {
      if (key === 'comment') delete resource.comment;
      else if (key === 'max_restart') resource.max_restart = 1;
      else if (key === 'max_relocate') resource.max_relocate = 1;
      else if (key === 'failback') resource.failback = true;
      else if (key === 'group' && cluster.release.ha.placement === 'groups') delete resource.group;
      else continue;
      ha.setWritten(sid, key, false);
    }
    if (state) {
      ha.setWritten(sid, 'state');
      ha.setRequestedState(sid, state);
    }
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
