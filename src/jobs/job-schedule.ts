// When a job approved for later runs (`--at`, `--window`; core/schedule): kept with the job, its
// approval and its proposal, so the worker needs no policy to know when it may start.
import { z } from 'zod';

export const jobScheduleSchema = z.object({
  startAt: z.number(),
  endsAt: z.number(),
  window: z.string().optional(),
  /** Its start as people read it in the configured time zone (`Thu 24 Dec 02:00 CET`). */
  startText: z.string().optional(),
  /** When its thread is reminded (a `reminder` job, delayed until then); absent: no reminder. */
  remindAt: z.number().optional(),
});
export type JobSchedule = z.infer<typeof jobScheduleSchema>;
