// HA placement (pve-ha-manager src/PVE/API2/HA/Rules.pm in 9.x, Groups.pm in 8.x): PVE 9.x rules (`/cluster/ha/rules`: node affinity and resource
// affinity) and PVE 8.x groups (`/cluster/ha/groups`). The rules path does not exist on 8.4: that
// GET fails with the transport's 501 error (PveErrorCode.UnknownEndpoint), passed on unchanged so
// the caller can fall back to the groups. On 9.x the groups GET fails instead (500, "ha groups have
// been migrated to rules"): read the groups only after the rules answered 501. Writing rules needs Sys.Console on `/`, like resources.
import type { PveParams } from './encode-params.js';
import { pvePath } from './pve-path.js';
import type { PveTransport } from './pve-transport.js';
import { nullSchema } from './schemas/guest-schemas.js';
import { type HaGroup, type HaRule, haGroupsSchema, haRulesSchema } from './schemas/ha-schemas.js';

/** The rule types PVE 9.x knows. */
export type HaRuleType = 'node-affinity' | 'resource-affinity';

/** A rule to create (POST /cluster/ha/rules). PVE refuses, in its own words, what does not fit the type. */
export interface NewHaRule {
  /** The rule id (a `pve-configid`: a letter, then letters, digits, `-`, `_`). */
  rule: string;
  type: HaRuleType;
  /** HA resource ids (`vm:100`, `ct:101`); each must already be HA-managed. */
  resources: readonly string[];
  /** node-affinity: the nodes, a higher priority preferred (PVE's default 0). */
  nodes?: readonly { node: string; priority?: number }[];
  /** node-affinity: only these nodes, else the resources stop (default false: prefer them). */
  strict?: boolean;
  /** resource-affinity: keep the resources together (positive) or apart (negative). */
  affinity?: 'positive' | 'negative';
  comment?: string;
  disable?: boolean;
}

/** Every HA rule (PVE 9.x). On PVE 8.4 this rejects with the transport's 501 error, unchanged. */
export function listHaRules(transport: PveTransport, signal?: AbortSignal): Promise<HaRule[]> {
  return transport.request('GET', '/cluster/ha/rules', { schema: haRulesSchema, signal });
}

/**
 * Every HA group: PVE 8.x placement. PVE 9.x refuses (500 "cannot index groups: ha groups have
 * been migrated to rules") once the groups were migrated, also when there never was one.
 */
export function listHaGroups(transport: PveTransport, signal?: AbortSignal): Promise<HaGroup[]> {
  return transport.request('GET', '/cluster/ha/groups', { schema: haGroupsSchema, signal });
}

/** `ha-manager rules add …`: lists as PVE's `*-list` formats want them (comma-separated). */
export async function createHaRule(
  transport: PveTransport,
  rule: NewHaRule,
  signal?: AbortSignal,
): Promise<void> {
  const params: PveParams = {
    rule: rule.rule,
    type: rule.type,
    resources: rule.resources.join(','),
    nodes: rule.nodes
      ?.map(({ node, priority }) => (priority === undefined ? node : `${node}:${priority}`))
      .join(','),
    strict: rule.strict,
    affinity: rule.affinity,
    comment: rule.comment,
    disable: rule.disable,
  };
  await transport.request('POST', '/cluster/ha/rules', { params, schema: nullSchema, signal });
}

/** `ha-manager rules remove <rule>`. PVE answers null whether or not the rule existed. */
export async function deleteHaRule(
  transport: PveTransport,
  rule: string,
  signal?: AbortSignal,
): Promise<void> {
  await transport.request('DELETE', pvePath`/cluster/ha/rules/${rule}`, { schema: nullSchema, signal });
}
