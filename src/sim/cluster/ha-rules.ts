// /etc/pve/ha/rules.cfg (PVE 9.x, pve-ha-manager PVE::HA::Rules): the HA rules, their order and
// digest, what PVE's API renders for each, and the feasibility checks that make PVE refuse a rule
// (or, for rules already written, report `errors` on them: the HA manager then drops them).
// The simulated CRM does not enforce rules: they are stored and served for readers.
import { createHash } from 'node:crypto';
import type { HaRule } from './cluster-model.js';

/** Per rule id, per property, PVE's messages (`check_feasibility`). */
export type RuleErrors = Map<string, Record<string, string[]>>;

export class HaRuleSet {
  private readonly rules = new Map<string, HaRule>();

  constructor(rules: readonly HaRule[] = []) {
    for (const rule of rules) this.rules.set(rule.rule, rule);
  }

  get(id: string): HaRule | undefined {
    return this.rules.get(id);
  }

  /** In rules.cfg order. */
  list(): HaRule[] {
    return [...this.rules.values()].sort((a, b) => a.order - b.order || a.rule.localeCompare(b.rule));
  }

  /** The next ordinal, after every rule's. */
  nextOrder(): number {
    return Math.max(0, ...[...this.rules.values()].map((rule) => rule.order)) + 1;
  }

  add(rule: HaRule): void {
    this.rules.set(rule.rule, rule);
  }

  delete(id: string): void {
    this.rules.delete(id);
  }

  /**
   * DELETE /cluster/ha/resources/{sid} with `purge` (the default): the resource leaves every rule,
   * and a rule left without resources goes with it.
   */
  purgeResource(sid: string): void {
    for (const rule of this.rules.values()) {
      if (!rule.resources.includes(sid)) continue;
      rule.resources = rule.resources.filter((candidate) => candidate !== sid);
      if (rule.resources.length === 0) this.rules.delete(rule.rule);
    }
  }

  /** SHA-1 of the config file as PVE's section config writes it, like every `digest` in the API. */
  digest(): string {
    return createHash('sha1').update(this.configText()).digest('hex');
  }

  /** The rules.cfg text: `<type>: <id>` then one tab-indented line per set property. */
  configText(): string {
    return this.list()
      .map((rule) => {
        const lines = [`${rule.type}: ${rule.rule}`];
        if (rule.affinity) lines.push(`\taffinity ${rule.affinity}`);
        if (rule.comment !== undefined) lines.push(`\tcomment ${rule.comment}`);
        if (rule.disable) lines.push('\tdisable 1');
        if (rule.nodes) lines.push(`\tnodes ${encodeNodes(rule.nodes)}`);
        lines.push(`\tresources ${encodeResources(rule.resources)}`);
        if (rule.strict !== undefined) lines.push(`\tstrict ${rule.strict ? 1 : 0}`);
        return `${lines.join('\n')}\n`;
      })
      .join('\n');
  }
}

/** `vm:100,vm:101`: sorted, comma-separated (Rules.pm encode_value). */
export function encodeResources(resources: readonly string[]): string {
  return [...resources].sort().join(',');
}

/** `node01:2,node02`: sorted by name, the priority only when not 0 (NodeAffinity.pm encode_plugin_value). */
export function encodeNodes(nodes: ReadonlyMap<string, number>): string {
  return [...nodes]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([node, priority]) => (priority ? `${node}:${priority}` : node))
    .join(',');
}

/** A rule as GET /cluster/ha/rules and /cluster/ha/rules/{rule} answer it. */
export function renderHaRule(
  rule: HaRule,
  digest: string,
  errors?: Record<string, string[]>,
): Record<string, unknown> {
  const entry: Record<string, unknown> = {
    rule: rule.rule,
    type: rule.type,
    resources: encodeResources(rule.resources),
    digest,
    order: rule.order,
  };
  if (rule.nodes) entry.nodes = encodeNodes(rule.nodes);
  if (rule.strict !== undefined) entry.strict = rule.strict ? 1 : 0;
  if (rule.affinity) entry.affinity = rule.affinity;
  if (rule.disable) entry.disable = 1;
  if (rule.comment !== undefined) entry.comment = rule.comment;
  if (errors) entry.errors = errors;
  return entry;
}

/**
 * PVE::HA::Rules check_feasibility over the enabled rules, for the checks of the node-affinity
 * and resource-affinity plugins: a resource in two node-affinity rules, a resource-affinity rule
 * with fewer than two resources, a negative one with more resources than the cluster has nodes,
 * and a positive and a negative rule sharing two or more resources.
 */
export function checkFeasibility(rules: readonly HaRule[], nodeCount: number): RuleErrors {
  const errors: RuleErrors = new Map();
  const blame = (id: string, message: string) => {
    const entry = errors.get(id) ?? {};
    entry.resources = [...(entry.resources ?? []), message];
    errors.set(id, entry);
  };
  const enabled = rules.filter((rule) => !rule.disable);
  const nodeAffinity = enabled.filter((rule) => rule.type === 'node-affinity');
  const positive = enabled.filter((r) => r.type === 'resource-affinity' && r.affinity === 'positive');
  const negative = enabled.filter((r) => r.type === 'resource-affinity' && r.affinity === 'negative');

  const rulesOf = new Map<string, string[]>();
  for (const rule of nodeAffinity) {
    for (const sid of rule.resources) rulesOf.set(sid, [...(rulesOf.get(sid) ?? []), rule.rule]);
  }
  for (const [sid, ids] of [...rulesOf].sort(([a], [b]) => a.localeCompare(b))) {
    if (ids.length < 2) continue;
    for (const id of ids) blame(id, `resource '${sid}' is already used in another node affinity rule`);
  }
  for (const rule of [...positive, ...negative]) {
    if (rule.resources.length < 2)
      blame(rule.rule, 'rule is ineffective as there are less than two resources');
  }
  for (const rule of negative) {
    if (rule.resources.length > nodeCount)
      blame(rule.rule, 'rule defines more resources than available nodes');
  }
  for (const together of positive) {
    for (const apart of negative) {
      if (together.resources.filter((sid) => apart.resources.includes(sid)).length < 2) continue;
      blame(together.rule, 'rule shares two or more resources with a negative resource affinity rule');
      blame(apart.rule, 'rule shares two or more resources with a positive resource affinity rule');
    }
  }
  return errors;
}
