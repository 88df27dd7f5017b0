// ha-watch: run every 30 s by a job scheduler (ha-watch-schedule.ts). It compares where each HA
// service runs with where it ran at the previous look (kind state), and announces the services
// the HA stack recovered onto another node because theirs was fenced or went offline. A look
// where nothing was recovered, or where the cluster could not be read, posts nothing.
import { z } from 'zod';
import type { JobOutcome } from '../job-kind.js';
import { defineJobKind } from '../job-kind.js';
import { readHa } from './read-ha.js';

/** `vm:101` → the node it ran on, at the previous look. */
const rememberedSchema = z.record(z.string(), z.string());

/** What the kind returns when there is nothing to say: the chat shows no message for it. */
export const SILENT = { silent: true } as const;

export const haWatchKind = defineJobKind({
  name: 'ha-watch',
  // One post when something happened; nothing while it watches.
  resultOnly: true,
  payload: z.object({}),
  async run(ctx): Promise<JobOutcome> {
    let view: Awaited<ReturnType<typeof readHa>>;
    let online: Map<string, boolean>;
    try {
      const [ha, status] = await Promise.all([
        readHa(ctx.pve, ctx.signal),
        ctx.pve.clusterStatus(ctx.signal),
      ]);
      view = ha;
      online = new Map(status.nodes.map((n) => [n.name, n.online]));
    } catch (error) {
      // The next look, 30 s later, tries again; a failed read is not worth a post every 30 s.
      return {
        summary: 'HA watch: cannot read the HA status now',
        details: { ...SILENT, error: error instanceof Error ? error.message : String(error) },
      };
    }
    const parsed = rememberedSchema.safeParse(await ctx.state.get('nodes'));
    const before = parsed.success ? parsed.data : undefined;
    const now: Record<string, string> = {};
    for (const service of view.services) if (service.node) now[service.sid] = service.node;
    await ctx.state.set('nodes', now, 24 * 3600);
    if (!before) return { summary: 'HA watch: first look, nothing to compare with', details: { ...SILENT } };
    const lrms = new Map(view.lrms.map((l) => [l.node, l.state]));
    const recovered = view.services.flatMap((service) => {
      const from = before[service.sid];
      if (!from || !service.node || from === service.node) return [];
      // Moved off a node that is still up: a migration someone asked for, not a recovery.
      const down = online.get(from) === false || lrms.get(from) === 'dead';
      if (!down) return [];
      return [{ sid: service.sid, label: service.label, from, to: service.node, state: service.state }];
    });
    if (recovered.length === 0) return { summary: 'HA watch: nothing recovered', details: { ...SILENT } };
    const lines = recovered.map(
      (r) => `HA recovered ${r.label} from ${r.from} onto ${r.to}: ${r.from} is offline (now ${r.state})`,
    );
    return {
      summary:
        recovered.length === 1
          ? lines[0]!
          : `HA recovered ${recovered.length} guests from ${[...new Set(recovered.map((r) => r.from))].join(', ')}`,
      ...(recovered.length > 1 ? { text: lines.join('\n') } : {}),
      details: { recovered },
    };
  },
});
