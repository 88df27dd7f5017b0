// status: the whole cluster from two PVE calls, whatever its size (docs/architecture.md, "Performance targets").
import { z } from 'zod';
import { defineJobKind } from '../job-kind.js';
import { summarizeCluster } from './summarize-cluster.js';

export const statusPayloadSchema = z.object({
  /** Narrow the report to one node or one guest; the whole cluster without either. */
  node: z.string().min(1).optional(),
  vmid: z.number().int().min(100).optional(),
});

export const statusKind = defineJobKind({
  name: 'status',
  payload: statusPayloadSchema,
  async run(ctx) {
    const snapshot = await ctx.pve.clusterSnapshot(ctx.signal);
    const summary = summarizeCluster(snapshot, ctx.payload);
    return { summary: summary.headline, details: summary };
  },
});
