// digest: the daily status digest (jobs/digest has the reads and the report). The scheduled one
// remembers what the cluster looked like, so the next can say what changed since; one asked for
// with `/pve digest` compares with the last scheduled digest and leaves that memory alone.
import { z } from 'zod';
import { buildDigest, renderDigestText } from '../digest/build-digest.js';
import { collectDigest } from '../digest/collect-digest.js';
import { digestMemorySchema, memoryOf } from '../digest/digest-memory.js';
import { defineJobKind } from '../job-kind.js';

export const digestPayloadSchema = z.object({
  /** The daily run (it updates the memory) rather than one asked for in a channel. */
  scheduled: z.boolean().default(false),
});

const MEMORY = 'previous';

export const digestKind = defineJobKind({
  name: 'digest',
  payload: digestPayloadSchema,
  async run(ctx) {
    const remembered = digestMemorySchema.safeParse(await ctx.state.get(MEMORY));
    const now = Date.now();
    const input = await collectDigest(ctx.pve, { signal: ctx.signal, now });
    const report = buildDigest(input, remembered.success ? remembered.data : undefined, now);
    if (ctx.payload.scheduled) await ctx.state.set(MEMORY, memoryOf(input));
    return {
      summary: report.headline,
      text: renderDigestText(report),
      details: { healthy: report.healthy, nodes: report.nodes },
    };
  },
});
