// status: the whole cluster from two PVE calls, whatever its size, shared with the status commands
// asked at about the same time (docs/architecture.md, "Performance targets"). A report may be up to
// the client's snapshot age old (2 s by default), so it says when its data was read.
import { z } from 'zod';
import { defineJobKind } from '../job-kind.js';
import { describeReadTime, summarizeCluster } from './summarize-cluster.js';

export const statusPayloadSchema = z.object({
  /** Narrow the report to one node or one guest; the whole cluster without either. */
  node: z.string().min(1).optional(),
  vmid: z.number().int().min(100).optional(),
});

export const statusKind = defineJobKind({
  name: 'status',
  payload: statusPayloadSchema,
  async run(ctx) {
    const snapshot = await ctx.pve.recentClusterSnapshot(ctx.signal);
    const summary = summarizeCluster(snapshot, ctx.payload);
    return { summary: summary.headline, text: describeReadTime(snapshot.readAt), details: summary };
  },
});
