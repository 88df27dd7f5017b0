// What the receiver does with a PVE notification it accepts: claims the delivery (a replay is
// queued once) and queues a `pve-notification` job for the alert channels. The claim and the
// job go through the bot's intake connection, which fails at once when Redis is down, so the
// receiver answers 503 rather than 200 for an event that is not stored. A claim whose job could
// not be queued is given back, so the same delivery sent again is taken.
import type { PveNotificationBody } from '../../proxmox/notification-template.js';
import type { ThreadRef } from '../job-events.js';
import type { JobQueue } from '../job-queue.js';
import type { AlertStore } from './alert-store.js';

/** The job of a delivery: the same delivery twice is one job, even if two claims raced. */
export function jobIdForDelivery(id: string): string {
  return `pve-notification-${id.slice(0, 32)}`;
}

export interface NotificationIntakeOptions {
  store: Pick<AlertStore, 'claimDelivery' | 'releaseDelivery'>;
  queue: Pick<JobQueue, 'enqueue'>;
  /** The alert channels: the first is the job's thread, the others copies. */
  threads: [ThreadRef, ...ThreadRef[]];
}

export function notificationIntake(options: NotificationIntakeOptions) {
  const [thread, ...copies] = options.threads;
  return async (
    body: PveNotificationBody,
    id: string,
  ): Promise<{ status: 'queued'; jobId: string } | { status: 'duplicate' }> => {
    if (!(await options.store.claimDelivery(id))) return { status: 'duplicate' };
    try {
      const { jobId } = await options.queue.enqueue({
        kind: 'pve-notification',
        payload: body,
        thread,
        ...(copies.length > 0 ? { copies } : {}),
        requestedBy: `PVE (${body.fields.hostname ?? 'notification'})`,
        jobId: jobIdForDelivery(id),
      });
      return { status: 'queued', jobId };
    } catch (error) {
      await options.store.releaseDelivery(id).catch(() => undefined);
      throw error;
    }
  };
}
