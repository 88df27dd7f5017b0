// The daily digest's schedule: a BullMQ job scheduler (DIGEST_CRON in DIGEST_TZ, default 08:00 on
// weekdays) whose jobs post to every configured digest channel. Bots upsert it at boot (every
// replica may: the upsert is idempotent and BullMQ makes one job per tick, which one worker runs);
// DIGEST_CRON=off removes it.
import { CronExpressionParser } from 'cron-parser';
import type { ThreadRef } from './job-events.js';
import type { JobQueue } from './job-queue.js';

export const DIGEST_SCHEDULER_ID = 'daily-digest';
/** DIGEST_CRON=off: no daily digest. */
export const DIGEST_OFF = 'off';

export interface DigestSchedule {
  cron: string;
  timeZone: string;
  /** Where the digest goes: a channel per platform (no thread). */
  targets: ThreadRef[];
  /** BACKUP_MAX_AGE_DAYS, carried in each digest job (the digest kind's default when absent). */
  backupMaxAgeDays?: number;
}

/** When the digest runs next after `now`, as BullMQ computes it (the same parser, the same zone rules). */
export function nextDigestAt(cron: string, timeZone: string, now: number): number {
  return CronExpressionParser.parse(cron, { tz: timeZone, currentDate: new Date(now) })
    .next()
    .getTime();
}

/**
 * Upserts the schedule. `cron: 'off'` removes it. Without targets nothing changes: a process that
 * knows no digest channel (a console bot, a worker) must not stop the digest others configured.
 */
export async function scheduleDigest(queue: JobQueue, schedule: DigestSchedule): Promise<number | undefined> {
  if (schedule.cron === DIGEST_OFF) {
    await queue.unschedule(DIGEST_SCHEDULER_ID);
    return undefined;
  }
  const [first, ...rest] = schedule.targets;
  if (!first) return undefined;
  const { next } = await queue.schedule(
    DIGEST_SCHEDULER_ID,
    { pattern: schedule.cron, tz: schedule.timeZone },
    {
      kind: 'digest',
      payload: {
        scheduled: true,
        ...(schedule.backupMaxAgeDays === undefined ? {} : { backupMaxAgeDays: schedule.backupMaxAgeDays }),
      },
      threads: [first, ...rest],
      requestedBy: 'the daily schedule',
    },
  );
  return next;
}
