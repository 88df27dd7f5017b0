// The HA watch's schedule: a BullMQ job scheduler every 30 s whose jobs announce, in the digest
// channels, the HA guests the cluster recovered onto another node when theirs failed (and post
// nothing otherwise). Upserted at boot next to the digest's; without a channel it is removed.
import type { ThreadRef } from './job-events.js';
import type { JobQueue } from './job-queue.js';

export const HA_WATCH_SCHEDULER_ID = 'ha-watch';
export const HA_WATCH_PATTERN = '*/30 * * * * *';

export async function scheduleHaWatch(queue: JobQueue, targets: ThreadRef[]): Promise<number | undefined> {
  const [first, ...rest] = targets;
  if (!first) {
    await queue.unschedule(HA_WATCH_SCHEDULER_ID);
    return undefined;
  }
  const { next } = await queue.schedule(
    HA_WATCH_SCHEDULER_ID,
    { pattern: HA_WATCH_PATTERN, tz: 'UTC' },
    { kind: 'ha-watch', payload: {}, threads: [first, ...rest], requestedBy: 'the HA watch' },
  );
  return next;
}
