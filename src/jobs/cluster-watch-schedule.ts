// The cluster watch's schedule: a BullMQ job scheduler every 30 s whose jobs look at the cluster
// and publish alerts (a node offline, quorum lost, an HA recovery, a failed task, a storage
// filling up) to the alert channels, and post nothing otherwise. Upserted at boot next to the
// digest's (every replica may: the upsert is idempotent). Without a channel nothing changes: a
// process that knows none (a console bot, a worker) must not stop the watch others configured;
// unscheduleClusterWatch removes it.

import type { ThreadRef } from './job-events.js';
import type { JobQueue } from './job-queue.js';
import type { ClusterWatchPayload } from './kinds/cluster-watch-kind.js';

export const CLUSTER_WATCH_SCHEDULER_ID = 'cluster-watch';
export const CLUSTER_WATCH_PATTERN = '*/30 * * * * *';
/** The HA watch's scheduler, which the cluster watch replaced (its kind is gone): removed at boot. */
const FORMER_HA_WATCH_SCHEDULER_ID = 'ha-watch';

/**
 * Upserts the schedule; `payload` carries the settings (ALERT_TASK_*, ALERT_STORAGE_PERCENT) and
 * the bot's PVE user, so the worker that runs each look needs none of them.
 */
export async function scheduleClusterWatch(
  queue: JobQueue,
  targets: ThreadRef[],
  payload: ClusterWatchPayload = {},
  /** Several clusters: one watch per cluster, each remembering and alerting as that cluster's. */
  clusters: readonly string[] = [],
): Promise<number | undefined> {
  const [first, ...rest] = targets;
  if (!first) return undefined;
  await queue.unschedule(FORMER_HA_WATCH_SCHEDULER_ID);
  if (clusters.length > 0) await queue.unschedule(CLUSTER_WATCH_SCHEDULER_ID);
  const watches =
    clusters.length > 0
      ? clusters.map((c) => [`${CLUSTER_WATCH_SCHEDULER_ID}:${c}`, c] as const)
      : [[CLUSTER_WATCH_SCHEDULER_ID, undefined] as const];
  let next: number | undefined;
  for (const [id, cluster] of watches) {
    const scheduled = await queue.schedule(
      id,
      { pattern: CLUSTER_WATCH_PATTERN, tz: 'UTC' },
      {
        kind: 'cluster-watch',
        payload,
        threads: [first, ...rest],
        requestedBy: 'the cluster watch',
        ...(cluster === undefined ? {} : { cluster }),
      },
    );
    next = scheduled.next;
  }
  return next;
}

export function unscheduleClusterWatch(queue: JobQueue): Promise<void> {
  return queue.unschedule(CLUSTER_WATCH_SCHEDULER_ID);
}
