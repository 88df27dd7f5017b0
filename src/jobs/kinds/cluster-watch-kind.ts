// cluster-watch: run every 30 s by a job scheduler (cluster-watch-schedule.ts), it watches what PVE
// does not notify: a node offline, quorum lost, an HA recovery, a failed task, a storage filling
// up. Each look reads the cluster in four calls (watch/cluster-look.ts), compares it with the
// previous look kept in kind state (watch/compare-looks.ts) and publishes alerts through
// ctx.alert(): one card per incident, updated when it ends. Its own result is never posted.
import { z } from 'zod';
import { watchSettingsSchema } from '../../config/read-watch-config.js';
import type { AlertInput } from '../alerts/alert.js';
import type { JobOutcome } from '../job-kind.js';
import { defineJobKind } from '../job-kind.js';
import { readClusterLook } from '../watch/cluster-look.js';
import { compareLooks } from '../watch/compare-looks.js';
import { readWatchMemory, type WatchMemory } from '../watch/watch-memory.js';

/** What the kind returns: the chat shows no message for it (the alerts are the messages). */
export const SILENT = { silent: true } as const;

/** Kept a day: a watch stopped longer starts again with a first look. */
const MEMORY_TTL_S = 24 * 3600;

export const clusterWatchPayloadSchema = watchSettingsSchema.extend({
  /** The bot's PVE user (`chatops@pve!bot`): its own failed tasks are reported by its jobs. */
  ownUser: z.string().min(1).optional(),
});
export type ClusterWatchPayload = z.input<typeof clusterWatchPayloadSchema>;

type Look = { alerts: AlertInput[]; memory: WatchMemory; notes: string[] } | { error: string };

export const clusterWatchKind = defineJobKind({
  name: 'cluster-watch',
  // Nothing while it watches; what it sees goes out as alerts.
  resultOnly: true,
  payload: clusterWatchPayloadSchema,
  async run(ctx): Promise<JobOutcome> {
    // Kept in the job: the same look, run again after a crash, publishes the same alerts (same
    // keys: the same cards) instead of comparing a second time.
    const look = await ctx.memo<Look>('look', async () => {
      try {
        const before = readWatchMemory(await ctx.state.get('memory'));
        const current = await readClusterLook(ctx.pve, ctx.signal);
        return compareLooks(before, current, ctx.payload);
      } catch (error) {
        // The next look, 30 s later, tries again; a failed read is not worth a card every 30 s.
        return { error: error instanceof Error ? error.message : String(error) };
      }
    });
    if ('error' in look) {
      return {
        summary: 'Cluster watch: cannot read the cluster now',
        details: { ...SILENT, error: look.error },
      };
    }
    for (const alert of look.alerts) await ctx.alert(alert);
    await ctx.state.set('memory', look.memory, MEMORY_TTL_S);
    return {
      summary:
        look.alerts.length === 0
          ? 'Cluster watch: nothing new'
          : `Cluster watch: ${look.alerts.map((a) => `${a.title} (${a.state})`).join('; ')}`,
      details: {
        ...SILENT,
        keys: look.alerts.map((a) => a.key),
        ...(look.notes.length > 0 ? { notes: look.notes } : {}),
      },
    };
  },
});
