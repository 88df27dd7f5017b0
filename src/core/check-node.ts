// Whether a typed node name is a node of the cluster, online, with a message that helps when not.
import type { ClusterSnapshot } from '../proxmox/read-cluster-snapshot.js';
import { closestNames } from './closest-names.js';

export function nodesOf(snapshot: ClusterSnapshot) {
  return snapshot.status.nodes.map((n) => ({ name: n.name, online: n.online }));
}

/** A node that exists and is online, or why not (naming the nodes that exist). */
export function checkNode(snapshot: ClusterSnapshot, name: string): string | undefined {
  const nodes = nodesOf(snapshot);
  const node = nodes.find((n) => n.name.toLowerCase() === name.toLowerCase());
  const list = nodes.map((n) => `${n.name}${n.online ? '' : ' (offline)'}`).join(', ');
  if (!node) {
    const close = closestNames(
      name,
      nodes.map((n) => n.name),
      1,
    );
    return `No node '${name}' in the cluster.${close.length ? ` Did you mean \`${close[0]}\`?` : ''} Nodes: ${list}.`;
  }
  if (!node.online) return `Node ${node.name} is offline. Nodes: ${list}.`;
  return undefined;
}

export type NodeResolution = { ok: true; node: string } | { ok: false; message: string };

/** A typed node name as PVE spells it, if the node exists and is online; otherwise why not. */
export function resolveNode(snapshot: ClusterSnapshot, typed: string): NodeResolution {
  const problem = checkNode(snapshot, typed);
  if (problem) return { ok: false, message: problem };
  return {
    ok: true,
    node: nodesOf(snapshot).find((n) => n.name.toLowerCase() === typed.toLowerCase())!.name,
  };
}

/** Several typed node names as PVE spells them, or the first problem (an unknown or offline node). */
export function resolveNodes(
  snapshot: ClusterSnapshot,
  typed: readonly string[],
): { ok: true; nodes: string[] } | { ok: false; message: string } {
  const nodes: string[] = [];
  for (const name of typed) {
    const resolved = resolveNode(snapshot, name);
    if (!resolved.ok) return resolved;
    nodes.push(resolved.node);
  }
  return { ok: true, nodes };
}
