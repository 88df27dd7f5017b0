// The numbers the digest job sends for its chart (one entry per node), checked where they arrive
// from the outbox, and said in words for those who cannot see the picture.
import { z } from 'zod';
import type { NodeLoad } from './cluster-chart-types.js';

export const nodeLoadsSchema: z.ZodType<NodeLoad[]> = z.array(
  z.object({
    node: z.string(),
    online: z.boolean(),
    cpu: z.number(),
    memUsed: z.number(),
    memTotal: z.number(),
    guestsRunning: z.number(),
    guestsStopped: z.number(),
  }),
);

export function describeNodeLoads(nodes: NodeLoad[]): string {
  const shown = nodes
    .slice(0, 12)
    .map((n) =>
      n.online
        ? `${n.node} CPU ${Math.round(n.cpu * 100)} %, memory ${n.memTotal > 0 ? Math.round((n.memUsed / n.memTotal) * 100) : 0} %, ${n.guestsRunning} running`
        : `${n.node} offline`,
    );
  const more = nodes.length > shown.length ? `, and ${nodes.length - shown.length} more nodes` : '';
  return `CPU and memory per node: ${shown.join('; ')}${more}`;
}
