// /cluster/ha/rules (PVE 9.x placement rules, pve-ha-manager API2/HA/Rules.pm) and the 8.x
// /cluster/ha/groups, which 9.x refuses to list once the groups were migrated to rules.
import type { HaRule } from '../cluster/cluster-model.js';
import { groupSection, groupsDigest, type HaGroup } from '../cluster/ha-groups.js';
import { checkFeasibility, renderHaRule } from '../cluster/ha-rules.js';
import type { SimCluster } from '../cluster/sim-cluster.js';
import { PveHttpError } from '../pve-http-error.js';
import { splitList } from '../server/param-formats.js';
import type { RouteRegistry, SimRequest } from '../types.js';
import { optBool, optStr, str } from './request-params.js';

/** The options each rule type's section-config plugin allows besides `type` (9.1 schema). */
const OPTIONS: Record<HaRule['type'], { required: string[]; optional: string[] }> = {
  'node-affinity': { required: ['resources', 'nodes'], optional: ['strict', 'disable', 'comment'] },
  'resource-affinity': { required: ['resources', 'affinity'], optional: ['disable', 'comment'] },
};
const TYPE_SPECIFIC = ['affinity', 'nodes', 'strict'];

/**
 * PVE::HA::Config::lock_ha_domain(code, errmsg) around cfs_lock_domain('ha'): a plain `die` in
 * the code comes back as `<errmsg>: <text>` (pve-cluster's cfs_lock re-raises the code's error
 * unchanged since commit e085fe6, 2021: no "error during cfs-locked" part); an exception with a
 * code (e.g. a 400 with per-property errors) is stringified into the message as PVE::Exception
 * does (`400 <msg>` then one `<prop>: <text>` line each). Either way a 500.
 */
function lockHaDomain<T>(cluster: SimCluster, errmsg: string, code: () => T): T {
  // pve-cluster PVE/Cluster.pm $cfs_lock: only the lock's own errors get a prefix.
  if (!cluster.isQuorate()) throw PveHttpError.die(`${errmsg}: cfs-lock 'domain-ha' error: no quorum!`);
  try {
    return code();
  } catch (error) {
    if (!(error instanceof PveHttpError)) throw error;
    if (error.status === 500 && !error.errors) {
      throw PveHttpError.die(`${errmsg}: ${error.message}`);
    }
    const lines = Object.entries(error.errors ?? {}).map(([prop, text]) => `${prop}: ${text}\n`);
    throw PveHttpError.die(`${errmsg}: ${error.status} ${error.message}\n${lines.join('')}`);
  }
}

/** PVE::SectionConfig check_config for a new rule: the type's options, each required one given. */
function checkRuleOptions(request: SimRequest, type: HaRule['type']): void {
  const { required, optional } = OPTIONS[type];
  for (const key of TYPE_SPECIFIC) {
    if (request.params[key] !== undefined && !required.includes(key) && !optional.includes(key))
      throw PveHttpError.die(`unexpected property '${key}'`);
  }
  for (const key of required) {
    if (request.params[key] === undefined)
      throw PveHttpError.die(`missing value for required option '${key}'`);
  }
}

/** `node01:2,node02` → node → priority (the format was checked by the schema). */
function decodeNodes(text: string): Map<string, number> {
  const nodes = new Map<string, number>();
  for (const entry of splitList(text)) {
    const [node, priority] = entry.split(':');
    if (node) nodes.set(node, priority === undefined ? 0 : Number(priority));
  }
  return nodes;
}

export function registerHaRuleRoutes(registry: RouteRegistry, cluster: SimCluster): void {
  const ha = cluster.ha;
  const rules = ha.rules;
  const feasibility = () => checkFeasibility(rules.list(), cluster.nodeNames().length);

  registry.on('GET', '/cluster/ha/rules', (request) => {
    const type = optStr(request, 'type');
    const resource = optStr(request, 'resource');
    const errors = feasibility();
    const digest = rules.digest();
    return rules
      .list()
      .filter((rule) => (!type || rule.type === type) && (!resource || rule.resources.includes(resource)))
      .map((rule) => renderHaRule(rule, digest, errors.get(rule.rule)));
  });

  registry.on('GET', '/cluster/ha/rules/{rule}', (request) => {
    const id = str(request, 'rule');
    const rule = rules.get(id);
    if (!rule) throw PveHttpError.die(`no such ha rule '${id}'`);
    return renderHaRule(rule, rules.digest(), feasibility().get(id));
  });

  registry.on('POST', '/cluster/ha/rules', (request) => {
    cluster.assertQuorum();
    const type = str(request, 'type') as HaRule['type'];
    const id = str(request, 'rule');
    checkRuleOptions(request, type);
    const rule: HaRule = {
      rule: id,
      type,
      resources: [...new Set(splitList(str(request, 'resources')))],
      order: 0,
    };
    const nodes = optStr(request, 'nodes');
    if (nodes !== undefined) rule.nodes = decodeNodes(nodes);
    const strict = optBool(request, 'strict');
    if (strict !== undefined) rule.strict = strict;
    const affinity = optStr(request, 'affinity');
    if (affinity !== undefined) rule.affinity = affinity as 'positive' | 'negative';
    if (optBool(request, 'disable')) rule.disable = true;
    const comment = optStr(request, 'comment');
    if (comment !== undefined) rule.comment = comment;

    lockHaDomain(cluster, 'create ha rule failed', () => {
      if (rules.get(id)) throw PveHttpError.die(`HA rule '${id}' already defined`);
      const unmanaged = rule.resources.filter((sid) => !ha.resources.has(sid)).sort();
      if (unmanaged.length > 0)
        throw PveHttpError.die(`cannot use unmanaged resource(s) ${unmanaged.join(', ')}.`);
      const unknown = [...(rule.nodes?.keys() ?? [])]
        .filter((node) => node !== request.servingNode && !cluster.hasNode(node))
        .sort();
      if (unknown.length > 0)
        throw PveHttpError.die(`cannot use non-existent node(s) ${unknown.join(', ')}.`);
      rule.order = rules.nextOrder();
      const errors = checkFeasibility([...rules.list(), rule], cluster.nodeNames().length).get(id);
      if (errors) {
        const joined = Object.fromEntries(
          Object.entries(errors).map(([prop, list]) => [prop, list.join(', ')]),
        );
        throw new PveHttpError(400, `Rule '${id}' is invalid.`, joined);
      }
      rules.add(rule);
    });
    return null;
  });

  // PVE deletes without looking: an unknown rule is no error.
  registry.on('DELETE', '/cluster/ha/rules/{rule}', (request) => {
    lockHaDomain(cluster, 'delete ha rule failed', () => rules.delete(str(request, 'rule')));
    return null;
  });

  if (cluster.release.ha.placement === 'groups') {
    registerHaGroupRoutes(registry, cluster);
    return;
  }
  // The simulator has no HA groups, i.e. they count as migrated to node-affinity rules; then
  // pve-ha-manager 5.0.2+ (commit 849ef84) API2/HA/Groups.pm index refuses to list them.
  registry.on('GET', '/cluster/ha/groups', () => {
    throw PveHttpError.die('cannot index groups: ha groups have been migrated to rules');
  });
}

/** PVE 8.x HA groups (pve-ha-manager 4.0 API2/HA/Groups.pm index and create). */
function registerHaGroupRoutes(registry: RouteRegistry, cluster: SimCluster): void {
  const groups = cluster.ha.groups;
  // $api_copy_config: the section plus group and the file's digest.
  registry.on('GET', '/cluster/ha/groups', () => {
    const digest = groupsDigest(groups.values());
    return [...groups.values()].map((group) => ({ ...groupSection(group), digest }));
  });

  registry.on('POST', '/cluster/ha/groups', (request) => {
    cluster.assertQuorum();
    const type = optStr(request, 'type');
    if (type !== undefined && type !== 'group') throw PveHttpError.die('types does not match');
    const group: HaGroup = { group: str(request, 'group'), nodes: splitList(str(request, 'nodes')) };
    const restricted = optBool(request, 'restricted');
    if (restricted !== undefined) group.restricted = restricted;
    const nofailback = optBool(request, 'nofailback');
    if (nofailback !== undefined) group.nofailback = nofailback;
    const comment = optStr(request, 'comment');
    if (comment !== undefined) group.comment = comment;
    lockHaDomain(cluster, 'create ha group failed', () => {
      if (groups.has(group.group)) throw PveHttpError.die(`ha group ID '${group.group}' already defined`);
      groups.set(group.group, group);
    });
    return null;
  });
}
