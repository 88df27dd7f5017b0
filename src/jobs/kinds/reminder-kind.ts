// reminder: a scheduled job's thread is told, `schedule.remind` before it starts, what will run
// when and how to stop it. Queued with the job (JobQueue.enqueue, delayed until then) under an id
// derived from the job's, and removed when the job is cancelled before it starts.
import { z } from 'zod';
import { defineJobKind } from '../job-kind.js';

export const reminderPayloadSchema = z.object({
  /** The scheduled job. */
  jobId: z.string().min(1),
  kind: z.string().min(1),
  startAt: z.number(),
  /** Its start as the requester's time zone shows it (`Thu 24 Dec 02:00 CET`), fixed at request time. */
  startText: z.string().optional(),
  window: z.string().optional(),
});

export const reminderKind = defineJobKind({
  name: 'reminder',
  payload: reminderPayloadSchema,
  resultOnly: true,
  async run(ctx) {
    const { jobId, kind, startAt, startText, window } = ctx.payload;
    const minutes = Math.max(0, Math.round((startAt - Date.now()) / 60_000));
    const when = startText ?? new Date(startAt).toISOString().slice(0, 16).replace('T', ' ');
    return {
      summary: `⏰ Reminder: ${kind} starts ${minutes < 1 ? 'in less than a minute' : `in ${minutes} min`} (${when}${window ? `, window ${window}` : ''})`,
      text: `Job ${jobId}. To stop it before it starts: \`/pve cancel ${jobId}\`, or Cancel in \`/pve scheduled\`.`,
      details: { jobId, startAt },
    };
  },
});
