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
