// /etc/pve/ha/groups.cfg (PVE 8.x HA placement, pve-ha-manager 4.0 PVE::HA::Groups): the groups,
// their sections as the API renders them, and the file's digest. PVE 9.x migrates groups to
// node-affinity rules (ha-rules.ts).
import { createHash } from 'node:crypto';

/**
 * An HA group: the resources in it prefer the group's nodes of highest priority; `restricted`
 * ones run nowhere else.
 */
export interface HaGroup {
  group: string;
  /** As written, `<node>[:<priority>]`, in the order given (decode_value keeps them whole). */
  nodes: string[];
  restricted?: boolean;
  nofailback?: boolean;
  comment?: string;
}

/** A group's section: group, type, nodes joined as written, the set flags as 0/1. */
export function groupSection(group: HaGroup): Record<string, unknown> {
  const entry: Record<string, unknown> = { group: group.group, type: 'group', nodes: group.nodes.join(',') };
  if (group.restricted !== undefined) entry.restricted = group.restricted ? 1 : 0;
  if (group.nofailback !== undefined) entry.nofailback = group.nofailback ? 1 : 0;
  if (group.comment !== undefined) entry.comment = group.comment;
  return entry;
}

/** SHA-1 of groups.cfg as the section config writes it: `group: <id>` then the set options. */
export function groupsDigest(groups: Iterable<HaGroup>): string {
  const text = [...groups]
    .map((group) => {
      const lines = Object.entries(groupSection(group))
        .filter(([key]) => key !== 'group' && key !== 'type')
        .map(([key, value]) => `\t${key} ${value}`);
      return `group: ${group.group}\n${lines.join('\n')}\n`;
    })
    .join('\n');
  return createHash('sha1').update(text).digest('hex');
}

/**
 * Manager.pm select_service_node's first cut: of the candidate nodes, the group's members of
 * highest priority (`node:prio`, 0 without one); none of them left, any candidate, unless the
 * group is restricted.
 */
export function groupCandidates(group: HaGroup, candidates: string[]): string[] {
  const priority = new Map(
    group.nodes.map((entry): [string, number] => {
      const [node = '', prio] = entry.split(':');
      return [node, prio === undefined ? 0 : Number(prio)];
    }),
  );
  const members = candidates.filter((node) => priority.has(node));
  if (members.length === 0) return group.restricted ? [] : candidates;
  const top = Math.max(...members.map((node) => priority.get(node) ?? 0));
  return members.filter((node) => priority.get(node) === top);
}
