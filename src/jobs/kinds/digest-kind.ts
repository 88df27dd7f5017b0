// digest: the daily status digest (jobs/digest has the reads and the report). The scheduled one
// remembers what the cluster looked like, so the next can say what changed since; one asked for
// with `/pve digest` compares with the last scheduled digest and leaves that memory alone.
import { z } from 'zod';
import { backupMaxAgeDaysSchema, DEFAULT_BACKUP_MAX_AGE_DAYS } from '../../config/read-backup-config.js';
import { buildDigest, renderDigestText } from '../digest/build-digest.js';
import { collectDigest } from '../digest/collect-digest.js';
import { digestMemorySchema, memoryOf } from '../digest/digest-memory.js';
import { defineJobKind } from '../job-kind.js';

export const digestPayloadSchema = z.object({
  /** The daily run (it updates the memory) rather than one asked for in a channel. */
  scheduled: z.boolean().default(false),
  /** BACKUP_MAX_AGE_DAYS of whoever asked (the schedule, or the bot of `/pve digest`). */
  backupMaxAgeDays: backupMaxAgeDaysSchema.default(DEFAULT_BACKUP_MAX_AGE_DAYS),
});

const MEMORY = 'previous';
/** The reads of one digest, all nodes together, at most this long. */
const COLLECT_TIMEOUT_MS = 120_000;

export const digestKind = defineJobKind({
  name: 'digest',
  // One post in the channel, without a progress message.
  resultOnly: true,
  chart: true,
  payload: digestPayloadSchema,
  async run(ctx) {
    const remembered = digestMemorySchema.safeParse(await ctx.state.get(MEMORY));
    const now = Date.now();
    // Not the slice's signal: a node that answers slowly must not make every slice start over (the
    // digest would then never be posted). Each read is bounded by the client's own timeout.
    const input = await collectDigest(ctx.pve, { signal: AbortSignal.timeout(COLLECT_TIMEOUT_MS), now });
    const report = buildDigest(input, remembered.success ? remembered.data : undefined, now, {
      backupMaxAgeDays: ctx.payload.backupMaxAgeDays,
    });
    if (ctx.payload.scheduled) await ctx.state.set(MEMORY, memoryOf(input));
    return {
      summary: report.headline,
      text: renderDigestText(report),
      details: { healthy: report.healthy, nodes: report.nodes },
    };
  },
});
