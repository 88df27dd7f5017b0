// What the cluster watch remembers from one look to the next (kind state, in Redis): the incidents
// it has open or just resolved, where each HA service ran, and which finished tasks it has seen.
// Read back through zod: a memory of another version, or none, is a first look.
import { z } from 'zod';

export const incidentSchema = z.object({
  /** The alert key of its card: every update of this incident goes to the same card. */
  key: z.string(),
  /** When the card was opened (ms). */
  openedAt: z.number(),
  /** When the current bad spell began (a flapping incident reopens with a later one). */
  since: z.number(),
  /** How many times it went bad on this card (a flapping node: 2, 3, …). */
  times: z.number().int().min(1),
  /** It was already bad at the watch's first look: when it began is unknown. */
  atFirstLook: z.boolean().optional(),
  /** Set once resolved; the incident is kept a while so a relapse reopens the same card. */
  resolvedAt: z.number().optional(),
});
export type Incident = z.infer<typeof incidentSchema>;

export const watchMemorySchema = z.object({
  v: z.literal(1),
  /** When the look was taken (worker clock, ms). */
  at: z.number(),
  /** By subject: `node:node02`, `quorum:MonCluster`, `storage:ceph-vm`, `storage:local-lvm@node01`. */
  incidents: z.record(z.string(), incidentSchema),
  /** `vm:101` → the node it ran on; undefined when the HA status could not be read. */
  ha: z.record(z.string(), z.string()).optional(),
  /** Undefined when the task list could not be read (the next look starts a new baseline). */
  tasks: z
    .object({
      /** The finished tasks of the last look's list (what /cluster/tasks holds: about 25 per node). */
      seen: z.array(z.string()),
      /** Per node, the newest end time (node clock, s) seen: older tasks are history, not news. */
      endedBy: z.record(z.string(), z.number()),
    })
    .optional(),
});
export type WatchMemory = z.infer<typeof watchMemorySchema>;

export function readWatchMemory(value: unknown): WatchMemory | undefined {
  const parsed = watchMemorySchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
