// The raw environment as zod reads it, and the small checks every reader shares.
import { z } from 'zod';

export const optionalText = z
  .string()
  .transform((value) => value.trim())
  .optional()
  .transform((value) => (value === '' ? undefined : value));

export function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export function isHttpsHost(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && url.pathname === '/' && !url.search && !url.username;
  } catch {
    return false;
  }
}

export function isUrl(value: string, protocols: string[]): boolean {
  try {
    return protocols.includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

export const environmentSchema = z.object({
  REDIS_URL: optionalText,
  REDIS_PREFIX: optionalText,
  WORKER_CONCURRENCY: optionalText,
  WORKER_LOCK_MS: optionalText,
  JOB_START_DEADLINE_SECONDS: optionalText,
  INTAKE_CONCURRENCY: optionalText,
  INTAKE_CLAIM_IDLE_MS: optionalText,
  PORT: optionalText,
  OPS_PORT: optionalText,
  OPS_HOST: optionalText,
  METRICS_TOKEN: optionalText,
  LOG_LEVEL: optionalText,
  PVE_CLUSTERS_FILE: optionalText,
  PVE_HOSTS: optionalText,
  PVE_TOKEN_ID: optionalText,
  PVE_TOKEN_SECRET: optionalText,
  PVE_FINGERPRINTS: optionalText,
  PVE_CA_FILE: optionalText,
  PVE_INSECURE_SKIP_TLS_VERIFY: optionalText,
  SSH_USER: optionalText,
  SSH_KEY_FILE: optionalText,
  SSH_KNOWN_HOSTS: optionalText,
  SSH_PORT: optionalText,
  SLACK_BOT_TOKEN: optionalText,
  SLACK_SIGNING_SECRET: optionalText,
  SLACK_APP_TOKEN: optionalText,
  SLACK_API_URL: optionalText,
  SLACK_TEAM_IDS: optionalText,
  SLACK_ENTERPRISE_IDS: optionalText,
  DISCORD_TOKEN: optionalText,
  DISCORD_APPLICATION_ID: optionalText,
  DISCORD_GUILD_ID: optionalText,
  DISCORD_GUILD_IDS: optionalText,
  DISCORD_API_URL: optionalText,
  DIGEST_CRON: optionalText,
  DIGEST_TZ: optionalText,
  BACKUP_MAX_AGE_DAYS: optionalText,
  DIGEST_SLACK_CHANNEL: optionalText,
  DIGEST_DISCORD_CHANNEL: optionalText,
  PVE_NOTIFY_SECRET: optionalText,
  ALERT_SLACK_CHANNEL: optionalText,
  ALERT_DISCORD_CHANNEL: optionalText,
  ALERT_ROUTES: optionalText,
  ALERT_TASK_TYPES: optionalText,
  ALERT_TASK_IGNORE: optionalText,
  ALERT_STORAGE_PERCENT: optionalText,
  POLICY_FILE: optionalText,
  DASHBOARD_USER: optionalText,
  DASHBOARD_PASSWORD: optionalText,
  DASHBOARD_PATH: optionalText,
  BALANCE_METHOD: optionalText,
  BALANCE_MAX_MOVES: optionalText,
  BALANCE_HEADROOM_PERCENT: optionalText,
  BALANCE_THRESHOLD_POINTS: optionalText,
  BALANCE_MIN_GAIN_POINTS: optionalText,
  BALANCE_COOLDOWN_MINUTES: optionalText,
  BALANCE_PARALLEL_PER_NODE: optionalText,
});
export type Environment = z.infer<typeof environmentSchema>;

/** Reports one problem with one variable: what is wrong and what would be right. */
export type Problem = (variable: string, text: string) => void;

/** A URL fit for an error message: any user name or password in it is masked. */
export function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.username || url.password) {
      url.username = url.username ? '***' : '';
      url.password = url.password ? '***' : '';
    }
    return url.toString();
  } catch {
    // Not a URL at all: show only its scheme-looking start, never what could be a secret.
    return value.includes('@') ? `${value.slice(0, value.indexOf(':') + 1)}…(hidden)` : value;
  }
}
