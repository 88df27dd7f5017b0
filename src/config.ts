// The environment (docs/architecture.md, "Public contracts"), read once at start-up through zod.
// Every module receives a typed object from here and never reads process.env itself.
//
// A bad or missing variable stops start-up with ONE ConfigError that lists every problem and how
// to fix it, so an operator fixes the .env in one pass instead of one restart per mistake.

import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { CronExpressionParser } from 'cron-parser';
import type { ClusterConfig } from './config/cluster-config-types.js';
import type { AppConfig, ConfigNeed } from './config/config-types.js';
import { type Environment, environmentSchema, isTimeZone, isUrl, redactUrl } from './config/environment.js';
import { readAlerts } from './config/read-alert-config.js';
import { readBackupMaxAgeDays } from './config/read-backup-config.js';
import { readBalance } from './config/read-balance-config.js';
import { readDiscord, readSlack } from './config/read-chat-config.js';
import { readClustersFile } from './config/read-clusters-config.js';
import { readDashboard } from './config/read-dashboard-config.js';
import { readIntake } from './config/read-intake-config.js';
import { readOps } from './config/read-ops-config.js';
import { readPve } from './config/read-pve-config.js';
import { readSsh } from './config/read-ssh-config.js';
import { readWatchSettings } from './config/read-watch-config.js';
import { sentinelProblem } from './config/redis-url.js';
import { ConfigError } from './config-error.js';

export type * from './config/config-types.js';
export { ConfigError } from './config-error.js';

/** Every variable pve-chatops reads; .env.example documents each (a test keeps them in step). */
export const CONFIG_VARIABLES = Object.keys(environmentSchema.shape);

export interface LoadConfigOptions {
  /** The environment to read; defaults to process.env. */
  env?: Record<string, string | undefined>;
  /** A .env file read with Node's own parser; variables already in `env` win over it. */
  envFile?: string;
  /** What this process role cannot run without (e.g. a worker needs `pve`). */
  needs?: ConfigNeed[];
  /** Reads files named by variables (PVE_CA_FILE); injectable for tests. */
  readTextFile?: (path: string) => string;
}

/**
 * Reads `.env` (if given and present) under the environment; the environment wins, except where
 * it is empty: Docker Compose passes `PVE_HOSTS=` for a variable listed but unset, and that must
 * not hide the file's value.
 */
function mergedEnvironment(options: LoadConfigOptions): Record<string, string | undefined> {
  const env = options.env ?? process.env;
  if (!options.envFile || !existsSync(options.envFile)) return env;
  const fromFile = parseEnv(readFileSync(options.envFile, 'utf8'));
  const setInEnv = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''),
  );
  return { ...fromFile, ...setInEnv };
}

export function loadConfig(options: LoadConfigOptions = {}): AppConfig {
  const needs = new Set(options.needs ?? []);
  const readTextFile = options.readTextFile ?? ((path: string) => readFileSync(path, 'utf8'));
  const env: Environment = environmentSchema.parse(mergedEnvironment(options));
  const problems: string[] = [];
  const problem = (variable: string, text: string) => problems.push(`${variable}: ${text}`);

  const redisUrl = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redisUrlOk = redisUrl.startsWith('redis+sentinel:')
    ? sentinelProblem(redisUrl) === undefined
    : isUrl(redisUrl, ['redis:', 'rediss:']);
  if (!redisUrlOk) {
    problem(
      'REDIS_URL',
      `must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379, or for Sentinel redis+sentinel://[:password@]host1:26379,host2:26379/mymaster (got '${redactUrl(redisUrl)}')`,
    );
  }

  const redisPrefix = env.REDIS_PREFIX ?? 'pve-chatops';
  if (!/^[A-Za-z0-9_.-]+$/.test(redisPrefix)) {
    problem(
      'REDIS_PREFIX',
      `may hold letters, digits, '.', '_' and '-' only, e.g. pve-chatops (got '${redisPrefix}')`,
    );
  }
  const concurrency = Number(env.WORKER_CONCURRENCY ?? '8');
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) {
    problem('WORKER_CONCURRENCY', `must be a whole number from 1 to 256 (got '${env.WORKER_CONCURRENCY}')`);
  }
  const lockMs = Number(env.WORKER_LOCK_MS ?? '30000');
  if (!Number.isInteger(lockMs) || lockMs < 1000 || lockMs > 600_000) {
    problem('WORKER_LOCK_MS', `must be milliseconds from 1000 to 600000 (got '${env.WORKER_LOCK_MS}')`);
  }
  const startDeadlineSeconds = Number(env.JOB_START_DEADLINE_SECONDS ?? '60');
  if (!Number.isInteger(startDeadlineSeconds) || startDeadlineSeconds < 5 || startDeadlineSeconds > 3600) {
    problem(
      'JOB_START_DEADLINE_SECONDS',
      `must be whole seconds from 5 to 3600 (got '${env.JOB_START_DEADLINE_SECONDS}')`,
    );
  }

  const intake = readIntake(env, problem);

  const port = Number(env.PORT ?? '3000');
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    problem('PORT', `must be a TCP port number from 0 to 65535 (got '${env.PORT}')`);
  }

  const ops = readOps(env, port, problem);

  const logLevel = env.LOG_LEVEL ?? 'info';
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) {
    problem('LOG_LEVEL', `must be one of debug, info, warn, error (got '${logLevel}')`);
  }

  // Several clusters (a file), or one (the PVE_* and SSH_* variables): not both.
  let clusters: ClusterConfig[] | undefined;
  if (env.PVE_CLUSTERS_FILE) {
    if (env.PVE_HOSTS || env.PVE_TOKEN_ID || env.PVE_TOKEN_SECRET)
      problem(
        'PVE_CLUSTERS_FILE',
        'is set together with PVE_HOSTS/PVE_TOKEN_*: use the clusters file alone (it names every cluster)',
      );
    try {
      clusters = readClustersFile(env.PVE_CLUSTERS_FILE, { readTextFile });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
    }
  }
  const pve = clusters ? clusters[0]?.pve : readPve(env, needs.has('pve'), problem, readTextFile);
  const ssh = clusters ? clusters[0]?.ssh : readSsh(env, problem);
  const balance = readBalance(env, problem);
  const dashboard = readDashboard(env, problem);
  const slack = readSlack(env, needs.has('slack'), problem);
  const discord = readDiscord(env, needs.has('discord'), problem, needs.has('chat'));
  const anyChatVariable = [
    env.SLACK_BOT_TOKEN,
    env.SLACK_APP_TOKEN,
    env.SLACK_SIGNING_SECRET,
    env.DISCORD_TOKEN,
  ].some((v) => v !== undefined);
  if (needs.has('chat') && !anyChatVariable) {
    problems.push(
      'SLACK_BOT_TOKEN / DISCORD_TOKEN: no chat platform is configured; set the Slack variables, the Discord variables, or both (see .env.example)',
    );
  }

  const timeZone = env.DIGEST_TZ ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!isTimeZone(timeZone)) {
    problem('DIGEST_TZ', `must be an IANA time zone such as Europe/Paris or UTC (got '${timeZone}')`);
  }
  const cron = env.DIGEST_CRON ?? '0 8 * * 1-5';
  const fields = cron.trim().split(/\s+/).length;
  const cronProblem =
    cron === 'off' ? undefined : fields < 5 || fields > 6 ? 'it needs 5 or 6 fields' : cronError(cron);
  if (cronProblem) {
    problem(
      'DIGEST_CRON',
      `must be a cron pattern of 5 or 6 fields, e.g. '0 8 * * 1-5' for 08:00 on weekdays, or 'off' (got '${cron}': ${cronProblem})`,
    );
  }

  const backupMaxAgeDays = readBackupMaxAgeDays(env, problem);
  const alerts = readAlerts(env, problem);
  const watch = readWatchSettings(env, problem);

  if (env.POLICY_FILE && !existsSync(env.POLICY_FILE)) {
    problem('POLICY_FILE', `file '${env.POLICY_FILE}' does not exist; point it at your policy YAML file`);
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    redisUrl,
    redisPrefix,
    worker: { concurrency, lockMs, startDeadlineMs: startDeadlineSeconds * 1000 },
    intake,
    port,
    ops,
    logLevel: logLevel as AppConfig['logLevel'],
    pve,
    ssh,
    ...(clusters ? { clusters } : {}),
    slack,
    discord,
    digest: {
      cron,
      timeZone,
      slackChannel: env.DIGEST_SLACK_CHANNEL,
      discordChannel: env.DIGEST_DISCORD_CHANNEL,
      backupMaxAgeDays,
    },
    alerts,
    watch,
    policyFile: env.POLICY_FILE,
    balance,
    ...(dashboard ? { dashboard } : {}),
  };
}

/** Why BullMQ's cron parser would refuse the pattern, or undefined when it reads it. */
function cronError(pattern: string): string | undefined {
  try {
    CronExpressionParser.parse(pattern);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
