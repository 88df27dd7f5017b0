// What a job tells the chat while it runs: structured progress events and one final result.
// They travel through the outbox (a Redis stream) to the bot process, which renders them for its
// platform. Everything here is plain JSON, validated with zod where it is read back.
import { z } from 'zod';
import { alertSchema } from './alerts/alert.js';
import { jobScheduleSchema } from './job-schedule.js';
import { offerSchema } from './offer.js';

/**
 * Where in the chat a job's messages belong. Opaque to jobs: only the adapter of `platform`
 * interprets the other fields (a Slack channel and thread_ts, a Discord thread id, a console line).
 */
export const threadRefSchema = z
  .object({
    platform: z.string().min(1),
  })
  .catchall(z.unknown());
export type ThreadRef = z.infer<typeof threadRefSchema>;

export const progressEventSchema = z.object({
  type: z.literal('progress'),
  jobId: z.string(),
  kind: z.string(),
  /** What the job is doing now, in words (`migrating`, `waiting for HA`, `cloning disks`). */
  phase: z.string(),
  /** 0..100 where PVE reports one (migration and clone transfer lines). */
  percent: z.number().min(0).max(100).optional(),
  /** The newest lines of the PVE task log, oldest first. */
  logLines: z.array(z.string()).default([]),
  upid: z.string().optional(),
  /** Buttons the job honours between its steps (a rolling upgrade); otherwise Cancel. */
  controls: z.array(z.enum(['pause', 'resume', 'abort'])).optional(),
  at: z.number(),
});
export type ProgressEvent = z.infer<typeof progressEventSchema>;

export { OFFER_COMMAND_MAX, type Offer, offerSchema } from './offer.js';

export const resultEventSchema = z.object({
  type: z.literal('result'),
  jobId: z.string(),
  kind: z.string(),
  ok: z.boolean(),
  /** One line a person reads first: `TestVM (qemu/100) now runs on node03`. */
  summary: z.string(),
  /** On failure: PVE's own error text (task exit status or HTTP message), verbatim. */
  error: z.string().optional(),
  /** On failure: the stable error code (`PVE_LOCKED`, `JOB_CANCELLED`, `GUEST_BUSY`, …). */
  code: z.string().optional(),
  /** Structured details for rich rendering (e.g. the status read), kind-specific. */
  details: z.record(z.string(), z.unknown()).optional(),
  upid: z.string().optional(),
  logTail: z.array(z.string()).optional(),
  /** More than one line to read (a plan, a per-node list), shown under the summary. */
  text: z.string().optional(),
  /**
   * What the job proposes to run next, for approval under the policy (an upgrade plan proposes
   * the upgrade): the core opens an approval request for it, in the same thread.
   */
  proposal: z
    .object({
      command: z.string(),
      jobKind: z.string(),
      summary: z.string(),
      payload: z.unknown(),
      requester: z.object({ id: z.string(), name: z.string(), groups: z.array(z.string()) }),
      /** The request asked for the safety net (`--snapshot`) for the proposed job. */
      snapshotFirst: z.boolean().optional(),
      /** The request was for later (`--at`, `--window`): the proposed job waits until then. */
      schedule: jobScheduleSchema.optional(),
      /** The cluster the plan was made on (several clusters): the proposed job runs there. */
      cluster: z.string().optional(),
    })
    .optional(),
  /**
   * Commands offered as buttons on the result (a snapshot offers "Roll back"; the safety net's
   * snapshots do so on a failure too). Pressing
   * one is handled exactly as if the presser had typed `/pve <command>` in the thread: the
   * grammar, the policy, an approval by another person where the policy asks, the audit.
   */
  offers: z.array(offerSchema).optional(),
  at: z.number(),
});
export type ResultEvent = z.infer<typeof resultEventSchema>;

/**
 * An alert (alerts/alert.ts), published by a job through ctx.alert(): the bots draw it as one card
 * per alert key in the thread (a channel) it is published to, edited in place when the same key
 * comes again (resolved, acknowledged).
 */
export const alertEventSchema = z.object({
  type: z.literal('alert'),
  /** The job that published it (a PVE notification's, the cluster watch's). */
  jobId: z.string(),
  kind: z.string(),
  alert: alertSchema,
  at: z.number(),
});
export type AlertEvent = z.infer<typeof alertEventSchema>;

export const jobEventSchema = z.discriminatedUnion('type', [
  progressEventSchema,
  resultEventSchema,
  alertEventSchema,
]);
export type JobEvent = z.infer<typeof jobEventSchema>;
