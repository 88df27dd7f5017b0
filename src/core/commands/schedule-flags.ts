// `--at` and `--window` on the disruptive commands: approved now, run later (docs/scheduling.md).
// The pipeline resolves them (core/schedule/resolve-schedule.ts) before the command plans, so a
// command only spreads these flags into its definition; the job then waits in the queue until its
// start, is reminded in its thread, and checks the cluster again when its time comes.
import { z } from 'zod';

export const scheduleFlags = {
  at: {
    value: 'time',
    schema: z.string().min(1),
    description:
      'run at this time, approved now: `2026-12-24 02:00` or `sun 02:00` (the configured time zone), or ISO 8601 with its offset',
  },
  window: {
    value: 'name',
    schema: z.string().regex(/^[a-z][a-z0-9-]*$/, { error: 'a window name from the policy, e.g. night' }),
    description: 'run in this maintenance window (named in the policy)',
  },
} as const;

/** The two are alternatives. */
export const scheduleExclusive = ['at', 'window'] as const;
