// What one digest leaves for the next, so it can say what changed since: which guests existed
// and where, and when each node last booted. Small on purpose (a vmid, a name, a node per guest).
import { z } from 'zod';
import type { DigestInput } from './digest-input.js';

export interface DigestMemory {
  /** Epoch ms of the digest this memory comes from. */
  at: number;
  /** By vmid (as a string: JSON object keys). */
  guests: Record<string, { name?: string; node: string; type: 'qemu' | 'lxc' }>;
  /** Epoch ms of each node's last boot, for the nodes that were online. */
  nodeBoots: Record<string, number>;
}

export const digestMemorySchema: z.ZodType<DigestMemory> = z.object({
  at: z.number(),
  guests: z.record(
    z.string(),
    z.object({ name: z.string().optional(), node: z.string(), type: z.enum(['qemu', 'lxc']) }),
  ),
  nodeBoots: z.record(z.string(), z.number()),
});

/** The node's boot time, epoch ms, rounded to the second (uptime is whole seconds). */
export function bootTimeOf(collectedAt: number, uptimeSeconds: number): number {
  return Math.round((collectedAt - uptimeSeconds * 1000) / 1000) * 1000;
}

export function memoryOf(input: DigestInput): DigestMemory {
  const guests: DigestMemory['guests'] = {};
  for (const g of input.guests) {
    guests[String(g.vmid)] = {
      ...(g.name === undefined ? {} : { name: g.name }),
      node: g.node,
      type: g.type,
    };
  }
  const nodeBoots: DigestMemory['nodeBoots'] = {};
  for (const n of input.nodes) {
    if (n.online && n.uptime !== undefined) nodeBoots[n.node] = bootTimeOf(input.collectedAt, n.uptime);
  }
  return { at: input.collectedAt, guests, nodeBoots };
}
