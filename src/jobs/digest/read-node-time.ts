// A node's clock, bracketed by ours: the node read its clock somewhere between the request
// leaving and the answer arriving, so the midpoint is where to compare it (clock-offsets.ts).
import type { ProxmoxClient } from '../../proxmox/proxmox-client.js';
import type { NodeTimeReading } from './digest-input.js';

export async function readNodeTime(
  pve: ProxmoxClient,
  node: string,
  signal?: AbortSignal,
): Promise<NodeTimeReading> {
  const sentAt = Date.now();
  const { time } = await pve.nodeTime(node, signal);
  return { time, sentAt, receivedAt: Date.now() };
}
