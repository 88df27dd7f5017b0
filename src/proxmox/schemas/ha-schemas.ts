import { z } from 'zod';
import { pveBool, pveInt } from './pve-values.js';

/**
 * One entry of GET /cluster/ha/status/current (pve-ha-manager src/PVE/API2/HA/Status.pm; fixtures ha/status-current*.json): the `quorum` entry, the CRM
 * `master`, 9.1's `fencing`, one `lrm` per node and one `service` per HA resource. Which fields
 * are set depends on `type`; the rest is passed through.
 */
export const haStatusEntrySchema = z.looseObject({
  id: z.string(),
  type: z.string(),
  node: z.string().optional(),
  /** `pve1 (active, Mon Jul 15 …)` for master and lrm, `vm:100 (pve1, started)` for a service. */
  status: z.string().optional(),
  quorate: pveBool.optional(),
  timestamp: pveInt.optional(),
  sid: z.string().optional(),
  /** The verbose service state: `started`, `error`, `fence`, `migrate`, … */
  state: z.string().optional(),
  crm_state: z.string().optional(),
  request_state: z.string().optional(),
  'armed-state': z.string().optional(),
});
export type HaStatusEntry = z.output<typeof haStatusEntrySchema>;
export const haStatusSchema = z.array(haStatusEntrySchema);

/**
 * One entry of GET /cluster/ha/resources (pve-ha-manager src/PVE/API2/HA/Resources.pm index): an HA-managed guest's section of
 * resources.cfg as written, so an option left at PVE's default is absent (no `state` means
 * `started`, max_restart/max_relocate 1, failback 1).
 */
export const haResourceSchema = z.looseObject({
  sid: z.string(),
  type: z.string().optional(),
  /** The requested state: `started`, `stopped`, `disabled`, `ignored`. */
  state: z.string().optional(),
  group: z.string().optional(),
  max_restart: pveInt.optional(),
  max_relocate: pveInt.optional(),
  comment: z.string().optional(),
});
export type HaResourceEntry = z.output<typeof haResourceSchema>;
export const haResourcesSchema = z.array(haResourceSchema);

/** One node of an HA node list and its priority (higher is preferred; PVE's default is 0). */
export interface HaNodePriority {
  node: string;
  priority: number;
}

/**
 * PVE's `pve-ha-node-list` (`node01:2,node02`, split like PVE::Tools::split_list on commas,
 * semicolons and spaces), or the same entries as an array, as `{node, priority}` with priority 0
 * when none is given. A node named twice keeps its last priority, as PVE's hash does. Throws on an
 * entry that is not `<node>[:<priority>]`: a placement silently half-read is worse than none.
 */
export function parseHaNodeList(value: string | readonly string[]): HaNodePriority[] {
  const entries = (typeof value === 'string' ? [value] : value).flatMap((item) => item.split(/[,;\s]+/));
  const byNode = new Map<string, number>();
  for (const entry of entries) {
    if (entry === '') continue;
    const match = /^([a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?::(\d+))?$/.exec(entry);
    if (!match) throw new Error(`invalid HA node entry '${entry}' (expected <node>[:<priority>])`);
    const node = match[1] as string;
    byNode.delete(node);
    byNode.set(node, match[2] === undefined ? 0 : Number(match[2]));
  }
  return [...byNode].map(([node, priority]) => ({ node, priority }));
}

/** `vm:100,ct:101` (or an array of sids) → `['vm:100', 'ct:101']`. */
function splitSidList(value: string | readonly string[]): string[] {
  return (typeof value === 'string' ? [value] : value)
    .flatMap((item) => item.split(/[,;\s]+/))
    .filter((sid) => sid !== '');
}

const haSidListSchema = z.union([z.string(), z.array(z.string())]).transform(splitSidList);

const haNodeListSchema = z.union([z.string(), z.array(z.string())]).transform((value, ctx) => {
  try {
    return parseHaNodeList(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

/**
 * One entry of GET /cluster/ha/rules (PVE 9.x; the path does not exist on 8.4): a node-affinity
 * rule (`nodes`, `strict`) or a resource-affinity rule (`affinity` positive|negative) over HA
 * resources. `type` stays a string so a type a later PVE adds still parses. PVE sets `errors`
 * (per property) on a rule that makes the rule set infeasible; the HA manager does not apply it.
 */
export const haRuleSchema = z.looseObject({
  rule: z.string(),
  type: z.string(),
  resources: haSidListSchema,
  nodes: haNodeListSchema.optional(),
  /**
   * Only when the rule sets it; JSON null on a rule PVE generates from an HA group that has not
   * been migrated yet and never set `restricted` (pve-ha-manager Groups.pm migrate_groups_to_rules).
   */
  strict: pveBool.nullable().optional(),
  affinity: z.string().optional(),
  disable: pveBool.optional(),
  comment: z.string().optional(),
  errors: z
    .record(z.string(), z.union([z.string(), z.array(z.string())]))
    .transform((errors) =>
      Object.fromEntries(
        Object.entries(errors).map(([key, value]) => [key, typeof value === 'string' ? [value] : value]),
      ),
    )
    .optional(),
});
export type HaRule = z.output<typeof haRuleSchema>;
export const haRulesSchema = z.array(haRuleSchema);

/**
 * One entry of GET /cluster/ha/groups, where PVE 8.x keeps HA placement (`ha-manager groupadd`).
 * PVE 9.x migrates groups to node-affinity rules; once migrated (or when none ever existed) the
 * GET fails with a 500 "cannot index groups: ha groups have been migrated to rules" (pve-ha-manager
 * 5.0.2+), so read the rules there and the groups only where the rules path answers 501.
 */
export const haGroupSchema = z.looseObject({
  group: z.string(),
  nodes: haNodeListSchema,
  /** Resources may run only on the group's nodes (a strict rule). */
  restricted: pveBool.optional(),
  nofailback: pveBool.optional(),
  comment: z.string().optional(),
});
export type HaGroup = z.output<typeof haGroupSchema>;
export const haGroupsSchema = z.array(haGroupSchema);
