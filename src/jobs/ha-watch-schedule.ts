// The HA watch's schedule: a BullMQ job scheduler every 30 s whose jobs announce, in the digest
// channels, the HA guests the cluster recovered onto another node when theirs failed (and post
// nothing otherwise). Upserted at boot next to the digest's, with the same channels. Without a
// channel nothing changes: a process that knows none (a console bot, a worker) must not stop the
// watch others configured; unscheduleHaWatch removes it.
import type { ThreadRef } from './job-events.js';
import type { JobQueue } from './job-queue.js';

export const HA_WATCH_SCHEDULER_ID = 'ha-watch';
export const HA_WATCH_PATTERN = '*/30 * * * * *';

export async function scheduleHaWatch(queue: JobQueue, targets: ThreadRef[]): Promise<number | undefined> {
  const [first, ...rest] = targets;
  if (!first) return undefined;
  const { next } = await queue.schedule(
    HA_WATCH_SCHEDULER_ID,
    { pattern: HA_WATCH_PATTERN, tz: 'UTC' },
    { kind: 'ha-watch', payload: {}, threads: [first, ...rest], requestedBy: 'the HA watch' },
  );
  return next;
}

export function unscheduleHaWatch(queue: JobQueue): Promise<void> {
  return queue.unschedule(HA_WATCH_SCHEDULER_ID);
}
