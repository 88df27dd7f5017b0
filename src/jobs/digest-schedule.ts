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
  /**
   * Several clusters (PVE_CLUSTERS_FILE): one digest per cluster, posted one after the other, each
   * headed by its cluster. Absent: the one cluster's.
   */
  clusters?: readonly string[];
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
  const clusters = schedule.clusters ?? [];
  const ids =
    clusters.length > 0 ? clusters.map((c) => `${DIGEST_SCHEDULER_ID}:${c}`) : [DIGEST_SCHEDULER_ID];
  if (schedule.cron === DIGEST_OFF) {
    for (const id of [DIGEST_SCHEDULER_ID, ...ids]) await queue.unschedule(id);
    return undefined;
  }
  const [first, ...rest] = schedule.targets;
  if (!first) return undefined;
  // Switching between one cluster and several leaves no schedule of the other form behind.
  if (clusters.length > 0) await queue.unschedule(DIGEST_SCHEDULER_ID);
  let next: number | undefined;
  for (const [i, id] of ids.entries()) {
    const cluster = clusters[i];
    const scheduled = await queue.schedule(
      id,
      { pattern: schedule.cron, tz: schedule.timeZone },
      {
        kind: 'digest',
        payload: {
          scheduled: true,
          ...(schedule.backupMaxAgeDays === undefined ? {} : { backupMaxAgeDays: schedule.backupMaxAgeDays }),
        },
        threads: [first, ...rest],
        requestedBy: 'the daily schedule',
        ...(cluster === undefined ? {} : { cluster }),
      },
    );
    next = scheduled.next;
  }
  return next;
}
