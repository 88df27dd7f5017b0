// The envelope every job carries in BullMQ: which kind, its payload, where to report, who asked,
// and the resume state a processor saves between slices (the UPID it waits on, lines seen, …).
import { z } from 'zod';
import { threadRefSchema } from './job-events.js';
import { jobScheduleSchema } from './job-schedule.js';

export { type JobSchedule, jobScheduleSchema } from './job-schedule.js';

/** What a processor saved for one step: the PVE task it started and how far it has read. */
export const taskStepStateSchema = z.object({
  /** When the POST that starts the task was about to be sent (ms); set before the call. */
  startingAt: z.number().optional(),
  upid: z.string().optional(),
  linesSeen: z.number().default(0),
  /** Set once the task ended well: a re-run returns this instead of waiting again. */
  result: z.object({ exitstatus: z.string(), logTail: z.array(z.string()) }).optional(),
});
export type TaskStepState = z.infer<typeof taskStepStateSchema>;

export const jobStateSchema = z
  .object({
    /** Per named step (`migrate`, `clone`, `follow-ha`): its task and progress. */
    steps: z.record(z.string(), taskStepStateSchema).default({}),
    /** Kind-specific values to keep across slices (a migration plan, the chosen new vmid). */
    memo: z.record(z.string(), z.unknown()).default({}),
    /**
     * When a worker first started it (ms). Set once, before the kind runs: only the first start
     * is held to the start deadline, never a later slice, retry or takeover.
     */
    startedAt: z.number().optional(),
    /** The final result, once it went to the outbox: a re-run after a crash only repeats it. */
    final: z
      .object({
        ok: z.boolean(),
        summary: z.string(),
        error: z.string().optional(),
        code: z.string().optional(),
      })
      .optional(),
  })
  .default({ steps: {}, memo: {} });
export type JobState = z.infer<typeof jobStateSchema>;

export const jobDataSchema = z.object({
  kind: z.string().min(1),
  payload: z.unknown(),
  thread: threadRefSchema,
  /** More places the result goes to (a scheduled digest: the Slack and the Discord channel). */
  copies: z.array(threadRefSchema).optional(),
  /** Who asked, as the chat shows them (for messages and the audit). */
  requestedBy: z.string().min(1),
  /** Their platform-qualified id (`discord:…`): who may stop the job is decided on it, not on a name anyone can take. */
  requestedById: z.string().optional(),
  requestedAt: z.number(),
  /**
   * The policy entry of the command that asked for it (`node`, `node-force`, `upgrade`): who may
   * cancel, pause or abort it is decided under that entry. Absent for the worker's own scheduled
   * jobs and for jobs queued before it was recorded (their kind is used).
   */
  command: z.string().optional(),
  /** How disruptive that command was as asked (`ha` that only shows the HA stack is a read). */
  commandRisk: z.enum(['read', 'disruptive']).optional(),
  /**
   * The safety net asked for this job (the policy's `snapshots.before`, or `--snapshot`): a
   * snapshot of each guest it puts at risk before it does so, with the bot's retention (`keep`,
   * the bot's newest snapshots per guest) after each. Decided at request time, so the worker
   * needs no policy.
   */
  safetyNet: z
    .object({ snapshot: z.literal(true), keep: z.number().int().min(1).max(100).optional() })
    .optional(),
  /**
   * Work approved now that runs later (`--at`, `--window`): it waits in BullMQ's delayed set until
   * `startAt`, and may start only until `endsAt` (a start missed while the workers were down is
   * reported, not run late). At its start the worker checks again that the cluster is fit
   * (steps/scheduled-start-check.ts). `window`: the maintenance window's name, when one was named.
   */
  schedule: jobScheduleSchema.optional(),
  /**
   * The cluster it runs on, by the clusters file's name, when the bot drives several
   * (PVE_CLUSTERS_FILE); absent: the only one. Its locks are that cluster's.
   */
  cluster: z.string().optional(),
  /** Unique per enqueue call: tells a duplicate (same job id, e.g. a double click) from our own add. */
  submission: z.string(),
  state: jobStateSchema,
});
export type JobData = z.infer<typeof jobDataSchema>;
