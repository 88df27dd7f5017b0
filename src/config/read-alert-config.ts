// PVE's notifications (POST /pve/notifications): PVE_NOTIFY_SECRET, the shared secret PVE sends as
// `Authorization: Bearer <secret>` (unset: the receiver is off and the path answers 404), and
// where alert cards go, ALERT_SLACK_CHANNEL / ALERT_DISCORD_CHANNEL (by default the digest's
// channels, DIGEST_SLACK_CHANNEL / DIGEST_DISCORD_CHANNEL).
import { z } from 'zod';
import type { Environment, Problem } from './environment.js';

export const NOTIFY_SECRET_MIN = 16;

/** Printable ASCII without spaces: it travels in an HTTP header, and PVE stores it base64-encoded. */
const notifySecretSchema = z
  .string()
  .min(NOTIFY_SECRET_MIN)
  .max(512)
  .regex(/^[\x21-\x7e]+$/);

export interface AlertConfig {
  /** PVE_NOTIFY_SECRET; undefined: the receiver is off. */
  notifySecret?: string;
  /** ALERT_SLACK_CHANNEL, else DIGEST_SLACK_CHANNEL. */
  slackChannel?: string;
  /** ALERT_DISCORD_CHANNEL, else DIGEST_DISCORD_CHANNEL. */
  discordChannel?: string;
  /**
   * ALERT_ROUTES as written: alert cards by type and severity to other channels. Read (and refused
   * with what would be right) where the worker is wired: jobs/alerts/alert-routes.ts knows the types.
   */
  routes?: string;
}

export function readAlerts(env: Environment, problem: Problem): AlertConfig {
  const secret = env.PVE_NOTIFY_SECRET;
  if (secret !== undefined && !notifySecretSchema.safeParse(secret).success) {
    problem(
      'PVE_NOTIFY_SECRET',
      `must be ${NOTIFY_SECRET_MIN} to 512 printable characters without spaces (e.g. the output of 'openssl rand -hex 32'); got ${secret.length} characters`,
    );
  }
  const routes = env.ALERT_ROUTES?.trim() || undefined;
  const slackChannel = env.ALERT_SLACK_CHANNEL ?? env.DIGEST_SLACK_CHANNEL;
  const discordChannel = env.ALERT_DISCORD_CHANNEL ?? env.DIGEST_DISCORD_CHANNEL;
  return {
    ...(secret === undefined ? {} : { notifySecret: secret }),
    ...(slackChannel === undefined ? {} : { slackChannel }),
    ...(discordChannel === undefined ? {} : { discordChannel }),
    ...(routes === undefined ? {} : { routes }),
  };
}
