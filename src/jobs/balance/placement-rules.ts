// Where a guest may go, from two sources people already use: ProxLB's tags on the guest
// (`plb_pin_<node>`, `plb_affinity_<group>`, `plb_anti_affinity_<group>`, `plb_ignore_<any>`) and
// PVE's own HA placement (9.x rules, 8.x groups, normalized by read-balance-input.ts). Pure.

/** One PVE HA placement: a 9.x rule, or an 8.x group read as a node-affinity rule. */
export interface HaPlacement {
  /** How people name it: `HA rule db-apart`, `HA group prefer-a`. */
  name: string;
  kind: 'node-affinity' | 'resource-affinity';
  /** HA resource ids: `vm:100`, `ct:200`. */
  sids: string[];
  nodes?: { node: string; priority: number }[];
  affinity?: 'positive' | 'negative';
}

export interface PlacementGuest {
  vmid: number;
  tags: string[];
}

export interface GuestGroup {
  vmids: number[];
  /** What made it: `tag plb_affinity_web`, `HA rule keep-apart`. */
  source: string;
}

export interface PlacementConstraints {
  /** The nodes a guest may run on, and what says so; a guest absent here may go anywhere. */
  allowedNodes: Map<number, { nodes: Set<string>; source: string }>;
  /** Guests that must share a node: they move together or not at all. */
  together: GuestGroup[];
  /** Guests that must not share a node. */
  apart: GuestGroup[];
  /** Guests the balancer must not touch, with the tag that says so. */
  ignored: Map<number, string>;
}

/** `vm:100` / `ct:200` → 100 / 200; anything else (a future resource type) → undefined. */
export function vmidOfSid(sid: string): number | undefined {
  const match = /^(?:vm|ct):(\d+)$/.exec(sid);
  return match ? Number(match[1]) : undefined;
}

/** PVE separates tags with `;` (the GUI) but accepts `,` and spaces too. */
export function splitTags(tags: string | undefined): string[] {
  return (tags ?? '')
    .split(/[;,\s]+/)
    .map((t) => t.trim().toLowerCase())
    .filter(Boolean);
}

function restrict(
  allowed: PlacementConstraints['allowedNodes'],
  vmid: number,
  nodes: Iterable<string>,
  source: string,
): void {
  const next = new Set(nodes);
  const current = allowed.get(vmid);
  if (!current) {
    allowed.set(vmid, { nodes: next, source });
    return;
  }
  allowed.set(vmid, {
    nodes: new Set([...current.nodes].filter((n) => next.has(n))),
    source: `${current.source} and ${source}`,
  });
}

/**
 * @param nodeNames every node of the cluster (pins and rules name nodes in any case)
 * @param available nodes that can take guests now (online, not in maintenance): an HA guest may
 *   only go where the CRM would keep it, the highest-priority available nodes of its rule.
 */
export function placementConstraints(
  guests: PlacementGuest[],
  ha: HaPlacement[],
  nodeNames: string[],
  available: Set<string>,
): PlacementConstraints {
  const byLower = new Map(nodeNames.map((n) => [n.toLowerCase(), n]));
  const allowedNodes: PlacementConstraints['allowedNodes'] = new Map();
  const ignored = new Map<number, string>();
  const together = new Map<string, number[]>();
  const apart = new Map<string, number[]>();
  const add = (groups: Map<string, number[]>, key: string, vmid: number) => {
    groups.set(key, [...(groups.get(key) ?? []), vmid]);
  };

  for (const guest of guests) {
    const pins: string[] = [];
    for (const tag of guest.tags) {
      if (tag.startsWith('plb_ignore')) ignored.set(guest.vmid, tag);
      else if (tag.startsWith('plb_pin_')) pins.push(tag.slice('plb_pin_'.length));
      else if (tag.startsWith('plb_anti_affinity_')) add(apart, `tag ${tag}`, guest.vmid);
      else if (tag.startsWith('plb_affinity_')) add(together, `tag ${tag}`, guest.vmid);
    }
    if (pins.length > 0) {
      // A pin to a node that does not exist pins the guest where it is: guessing is worse.
      const nodes = pins.flatMap((p) => byLower.get(p) ?? []);
      restrict(allowedNodes, guest.vmid, nodes, pins.map((p) => `tag plb_pin_${p}`).join(', '));
    }
  }

  for (const rule of ha) {
    const vmids = rule.sids.flatMap((sid) => vmidOfSid(sid) ?? []);
    if (rule.kind === 'node-affinity') {
      const candidates = (rule.nodes ?? []).filter((n) =>
        available.has(byLower.get(n.node.toLowerCase()) ?? ''),
      );
      const top = Math.max(...candidates.map((n) => n.priority));
      const nodes = candidates
        .filter((n) => n.priority === top)
        .map((n) => byLower.get(n.node.toLowerCase())!);
      for (const vmid of vmids) restrict(allowedNodes, vmid, nodes, rule.name);
    } else if (rule.affinity === 'positive') {
      for (const vmid of vmids) add(together, rule.name, vmid);
    } else if (rule.affinity === 'negative') {
      for (const vmid of vmids) add(apart, rule.name, vmid);
    }
  }

  const groups = (map: Map<string, number[]>): GuestGroup[] =>
    [...map.entries()]
      .filter(([, vmids]) => vmids.length > 1)
      .map(([source, vmids]) => ({ source, vmids: [...new Set(vmids)].sort((a, b) => a - b) }));
  return { allowedNodes, together: groups(together), apart: groups(apart), ignored };
}
