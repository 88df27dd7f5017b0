// POST /pve/notifications for `bot` and `all`: mounted on the ops server's PORT when
// PVE_NOTIFY_SECRET is set and an alert channel is known (ALERT_*_CHANNEL, else the digest's);
// otherwise not mounted (the path answers 404) and the startup log says why alerts from PVE are off.
import type { RequestListener } from 'node:http';
import type { Redis } from 'ioredis';
import type { AlertConfig } from '../config/read-alert-config.js';
import { AlertStore } from '../jobs/alerts/alert-store.js';
import { notificationIntake } from '../jobs/alerts/notification-intake.js';
import { notificationReceiver, PVE_NOTIFICATIONS_PATH } from '../jobs/alerts/notification-receiver.js';
import type { ThreadRef } from '../jobs/job-events.js';
import type { JobQueue } from '../jobs/job-queue.js';
import type { Logger } from '../logger.js';

/** The channels alert cards go to, one per platform configured. */
export function alertTargets(alerts: AlertConfig): ThreadRef[] {
  const targets: ThreadRef[] = [];
  if (alerts.slackChannel) targets.push({ platform: 'slack', channel: alerts.slackChannel });
  if (alerts.discordChannel) targets.push({ platform: 'discord', channel: alerts.discordChannel });
  return targets;
}

export interface PveNotificationRouteOptions {
  alerts: AlertConfig;
  /** The intake connection: a claim or a job Redis does not confirm at once fails (503), never waits. */
  redis: Redis;
  prefix: string;
  queue: Pick<JobQueue, 'enqueue'>;
  logger: Logger;
}

export function pveNotificationRoute(options: PveNotificationRouteOptions): Record<string, RequestListener> {
  const { alerts, logger } = options;
  const [first, ...rest] = alertTargets(alerts);
  if (!alerts.notifySecret) {
    logger.info({}, 'alerts from PVE are off: PVE_NOTIFY_SECRET is not set');
    return {};
  }
  if (!first) {
    logger.warn(
      {},
      'alerts from PVE are off: no alert channel (set ALERT_SLACK_CHANNEL / ALERT_DISCORD_CHANNEL, or the digest channels)',
    );
    return {};
  }
  logger.info(
    { path: PVE_NOTIFICATIONS_PATH, channels: [first, ...rest].map((t) => t.platform) },
    'alerts from PVE: notifications received on PORT',
  );
  return {
    [PVE_NOTIFICATIONS_PATH]: notificationReceiver({
      secret: alerts.notifySecret,
      logger,
      accept: notificationIntake({
        store: new AlertStore(options.redis, { prefix: options.prefix }),
        queue: options.queue,
        threads: [first, ...rest],
      }),
    }),
  };
}
