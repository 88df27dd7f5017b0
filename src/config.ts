// The environment of DESIGN.md ("Contracts"), read once at start-up through zod. Every module
// receives a typed object from here and never reads process.env itself.
//
// A bad or missing variable stops start-up with ONE ConfigError that lists every problem and how
// to fix it, so an operator fixes the .env in one pass instead of one restart per mistake.
import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import { ConfigError } from './config-error.js';

export { ConfigError } from './config-error.js';

/** The parts of the configuration a process role needs; the others may stay unset. */
export type ConfigNeed = 'pve' | 'slack' | 'discord' | 'chat';

export type PveTls =
  | { mode: 'fingerprints'; fingerprints: string[] }
  | { mode: 'ca'; caFile: string; caPem: string }
  | { mode: 'insecure' };

export interface PveConfig {
  hosts: string[];
  tokenId: string;
  tokenSecret: string;
  tls: PveTls;
}

export interface SshConfig {
  user: string;
  keyFile: string;
  knownHostsFile: string;
}

export interface SlackConfig {
  botToken: string;
  /** HTTP mode (POST /slack/events): requests are signature-checked with this secret. */
  signingSecret?: string;
  /** Socket Mode: an app-level token (xapp-…). */
  appToken?: string;
  apiUrl?: string;
}

export interface DiscordConfig {
  token: string;
  applicationId: string;
  guildId?: string;
  apiUrl?: string;
}

export interface WorkerConfig {
  /** Jobs one worker process runs at once. */
  concurrency: number;
  /**
   * BullMQ's job lock. Jobs run in short slices and renew it while they run, so it only decides
   * how soon another worker resumes the job of a worker that died (SIGKILL, power loss).
   */
  lockMs: number;
}

export interface AppConfig {
  redisUrl: string;
  /** Namespaces every Redis key, so several deployments (or test runs) can share one Redis. */
  redisPrefix: string;
  worker: WorkerConfig;
  port: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  pve?: PveConfig;
  ssh?: SshConfig;
  slack?: SlackConfig;
  discord?: DiscordConfig;
  digest: { cron: string; timeZone: string; slackChannel?: string; discordChannel?: string };
  policyFile?: string;
}

const FINGERPRINT = /^([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$/;
// PVE's own token-id format (AccessControl.pm $token_full_regex), simplified: user@realm!name.
const TOKEN_ID = /^[^\s:@/]+@[A-Za-z][A-Za-z0-9.\-_]+![A-Za-z][A-Za-z0-9.\-_]+$/;

const optionalText = z
  .string()
  .transform((value) => value.trim())
  .optional()
  .transform((value) => (value === '' ? undefined : value));

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function isHttpsHost(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && url.pathname === '/' && !url.search && !url.username;
  } catch {
    return false;
  }
}

function isUrl(value: string, protocols: string[]): boolean {
  try {
    return protocols.includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

const environmentSchema = z.object({
  REDIS_URL: optionalText,
  REDIS_PREFIX: optionalText,
  WORKER_CONCURRENCY: optionalText,
  WORKER_LOCK_MS: optionalText,
  PORT: optionalText,
  LOG_LEVEL: optionalText,
  PVE_HOSTS: optionalText,
  PVE_TOKEN_ID: optionalText,
  PVE_TOKEN_SECRET: optionalText,
  PVE_FINGERPRINTS: optionalText,
  PVE_CA_FILE: optionalText,
  PVE_INSECURE_SKIP_TLS_VERIFY: optionalText,
  SSH_USER: optionalText,
  SSH_KEY_FILE: optionalText,
  SSH_KNOWN_HOSTS: optionalText,
  SLACK_BOT_TOKEN: optionalText,
  SLACK_SIGNING_SECRET: optionalText,
  SLACK_APP_TOKEN: optionalText,
  SLACK_API_URL: optionalText,
  DISCORD_TOKEN: optionalText,
  DISCORD_APPLICATION_ID: optionalText,
  DISCORD_GUILD_ID: optionalText,
  DISCORD_API_URL: optionalText,
  DIGEST_CRON: optionalText,
  DIGEST_TZ: optionalText,
  DIGEST_SLACK_CHANNEL: optionalText,
  DIGEST_DISCORD_CHANNEL: optionalText,
  POLICY_FILE: optionalText,
});
type Environment = z.infer<typeof environmentSchema>;

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

/** Reads `.env` (if given and present) under the environment; the environment wins. */
function mergedEnvironment(options: LoadConfigOptions): Record<string, string | undefined> {
  const env = options.env ?? process.env;
  if (!options.envFile || !existsSync(options.envFile)) return env;
  const fromFile = parseEnv(readFileSync(options.envFile, 'utf8'));
  return { ...fromFile, ...env };
}

export function loadConfig(options: LoadConfigOptions = {}): AppConfig {
  const needs = new Set(options.needs ?? []);
  const readTextFile = options.readTextFile ?? ((path: string) => readFileSync(path, 'utf8'));
  const env: Environment = environmentSchema.parse(mergedEnvironment(options));
  const problems: string[] = [];
  const problem = (variable: string, text: string) => problems.push(`${variable}: ${text}`);

  const redisUrl = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  if (!isUrl(redisUrl, ['redis:', 'rediss:'])) {
    problem(
      'REDIS_URL',
      `must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379 (got '${redisUrl}')`,
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

  const port = Number(env.PORT ?? '3000');
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    problem('PORT', `must be a TCP port number from 0 to 65535 (got '${env.PORT}')`);
  }

  const logLevel = env.LOG_LEVEL ?? 'info';
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) {
    problem('LOG_LEVEL', `must be one of debug, info, warn, error (got '${logLevel}')`);
  }

  const pve = readPve(env, needs.has('pve'), problem, readTextFile);
  const ssh = readSsh(env, problem);
  const slack = readSlack(env, needs.has('slack'), problem);
  const discord = readDiscord(env, needs.has('discord'), problem);
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
  const fields = cron.split(/\s+/).length;
  if (fields < 5 || fields > 6) {
    problem('DIGEST_CRON', `must be a cron pattern of 5 or 6 fields, e.g. '0 8 * * 1-5' (got '${cron}')`);
  }

  if (env.POLICY_FILE && !existsSync(env.POLICY_FILE)) {
    problem('POLICY_FILE', `file '${env.POLICY_FILE}' does not exist; point it at your policy YAML file`);
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    redisUrl,
    redisPrefix,
    worker: { concurrency, lockMs },
    port,
    logLevel: logLevel as AppConfig['logLevel'],
    pve,
    ssh,
    slack,
    discord,
    digest: {
      cron,
      timeZone,
      slackChannel: env.DIGEST_SLACK_CHANNEL,
      discordChannel: env.DIGEST_DISCORD_CHANNEL,
    },
    policyFile: env.POLICY_FILE,
  };
}

type Problem = (variable: string, text: string) => void;

function readPve(
  env: Environment,
  needed: boolean,
  problem: Problem,
  readTextFile: (path: string) => string,
): PveConfig | undefined {
  const anySet = [env.PVE_HOSTS, env.PVE_TOKEN_ID, env.PVE_TOKEN_SECRET].some((v) => v !== undefined);
  if (!needed && !anySet) return undefined;

  const hosts = list(env.PVE_HOSTS);
  if (hosts.length === 0) {
    problem('PVE_HOSTS', 'is required: a comma-separated list such as https://pve1.example.com:8006');
  }
  for (const host of hosts) {
    if (!isHttpsHost(host)) {
      problem('PVE_HOSTS', `'${host}' is not an https://host:port URL (e.g. https://pve1.example.com:8006)`);
    }
  }
  if (!env.PVE_TOKEN_ID) {
    problem('PVE_TOKEN_ID', 'is required: the API token id as user@realm!tokenname, e.g. chatops@pve!bot');
  } else if (!TOKEN_ID.test(env.PVE_TOKEN_ID)) {
    problem(
      'PVE_TOKEN_ID',
      `must look like user@realm!tokenname, e.g. chatops@pve!bot (got '${env.PVE_TOKEN_ID}')`,
    );
  }
  if (!env.PVE_TOKEN_SECRET) {
    problem('PVE_TOKEN_SECRET', 'is required: the UUID that `pveum user token add` printed once');
  }

  const tls = readPveTls(env, problem, readTextFile);
  if (!tls || hosts.length === 0 || !env.PVE_TOKEN_ID || !env.PVE_TOKEN_SECRET) return undefined;
  return { hosts, tokenId: env.PVE_TOKEN_ID, tokenSecret: env.PVE_TOKEN_SECRET, tls };
}

function readPveTls(
  env: Environment,
  problem: Problem,
  readTextFile: (path: string) => string,
): PveTls | undefined {
  const insecure = env.PVE_INSECURE_SKIP_TLS_VERIFY;
  if (insecure !== undefined && !['true', 'false', '1', '0'].includes(insecure)) {
    problem('PVE_INSECURE_SKIP_TLS_VERIFY', `must be true or false (got '${insecure}')`);
    return undefined;
  }
  const fingerprints = list(env.PVE_FINGERPRINTS);
  const chosen = [
    fingerprints.length > 0,
    env.PVE_CA_FILE !== undefined,
    insecure === 'true' || insecure === '1',
  ];
  if (chosen.filter(Boolean).length > 1) {
    problem(
      'PVE_FINGERPRINTS / PVE_CA_FILE / PVE_INSECURE_SKIP_TLS_VERIFY',
      'choose exactly one way to verify the PVE certificates',
    );
    return undefined;
  }
  if (chosen[2]) return { mode: 'insecure' };
  if (fingerprints.length > 0) {
    const bad = fingerprints.filter((fp) => !FINGERPRINT.test(fp));
    if (bad.length > 0) {
      problem(
        'PVE_FINGERPRINTS',
        `${bad.map((fp) => `'${fp}'`).join(', ')} is not a SHA-256 fingerprint (32 hex pairs like AA:BB:…, as shown by 'pvenode cert info')`,
      );
      return undefined;
    }
    return { mode: 'fingerprints', fingerprints: fingerprints.map((fp) => fp.toUpperCase()) };
  }
  if (env.PVE_CA_FILE) {
    try {
      const caPem = readTextFile(env.PVE_CA_FILE);
      if (!caPem.includes('-----BEGIN CERTIFICATE-----')) {
        problem(
          'PVE_CA_FILE',
          `'${env.PVE_CA_FILE}' holds no PEM certificate (copy /etc/pve/pve-root-ca.pem)`,
        );
        return undefined;
      }
      return { mode: 'ca', caFile: env.PVE_CA_FILE, caPem };
    } catch (error) {
      problem('PVE_CA_FILE', `cannot read '${env.PVE_CA_FILE}': ${(error as Error).message}`);
      return undefined;
    }
  }
  problem(
    'PVE_FINGERPRINTS',
    "is required to verify TLS: the nodes' SHA-256 fingerprints ('pvenode cert info'), or set PVE_CA_FILE to a copy of /etc/pve/pve-root-ca.pem",
  );
  return undefined;
}

function readSsh(env: Environment, problem: Problem): SshConfig | undefined {
  const values = [env.SSH_USER, env.SSH_KEY_FILE, env.SSH_KNOWN_HOSTS];
  if (values.every((v) => v === undefined)) return undefined;
  if (!env.SSH_KEY_FILE)
    problem('SSH_KEY_FILE', 'is required with SSH: the private key file the worker logs in with');
  if (!env.SSH_KNOWN_HOSTS) {
    problem('SSH_KNOWN_HOSTS', "is required with SSH: a known_hosts file with every node's host key");
  }
  for (const [variable, path] of [
    ['SSH_KEY_FILE', env.SSH_KEY_FILE],
    ['SSH_KNOWN_HOSTS', env.SSH_KNOWN_HOSTS],
  ] as const) {
    if (path && !existsSync(path)) problem(variable, `file '${path}' does not exist`);
  }
  if (!env.SSH_KEY_FILE || !env.SSH_KNOWN_HOSTS) return undefined;
  return { user: env.SSH_USER ?? 'root', keyFile: env.SSH_KEY_FILE, knownHostsFile: env.SSH_KNOWN_HOSTS };
}

function readSlack(env: Environment, needed: boolean, problem: Problem): SlackConfig | undefined {
  const anySet = [env.SLACK_BOT_TOKEN, env.SLACK_SIGNING_SECRET, env.SLACK_APP_TOKEN].some(
    (v) => v !== undefined,
  );
  if (!needed && !anySet) return undefined;
  if (!env.SLACK_BOT_TOKEN) problem('SLACK_BOT_TOKEN', 'is required for Slack: the bot token (xoxb-…)');
  if (!env.SLACK_SIGNING_SECRET && !env.SLACK_APP_TOKEN) {
    problem(
      'SLACK_SIGNING_SECRET / SLACK_APP_TOKEN',
      'set SLACK_SIGNING_SECRET for HTTP mode (POST /slack/events) or SLACK_APP_TOKEN (xapp-…) for Socket Mode',
    );
  }
  if (env.SLACK_APP_TOKEN && !env.SLACK_APP_TOKEN.startsWith('xapp-')) {
    problem(
      'SLACK_APP_TOKEN',
      'must be an app-level token starting with xapp- (Basic Information → App-Level Tokens)',
    );
  }
  if (env.SLACK_API_URL && !isUrl(env.SLACK_API_URL, ['http:', 'https:'])) {
    problem('SLACK_API_URL', `must be an http(s) URL (got '${env.SLACK_API_URL}')`);
  }
  if (!env.SLACK_BOT_TOKEN || (!env.SLACK_SIGNING_SECRET && !env.SLACK_APP_TOKEN)) return undefined;
  return {
    botToken: env.SLACK_BOT_TOKEN,
    signingSecret: env.SLACK_SIGNING_SECRET,
    appToken: env.SLACK_APP_TOKEN,
    apiUrl: env.SLACK_API_URL,
  };
}

function readDiscord(env: Environment, needed: boolean, problem: Problem): DiscordConfig | undefined {
  const anySet = [env.DISCORD_TOKEN, env.DISCORD_APPLICATION_ID].some((v) => v !== undefined);
  if (!needed && !anySet) return undefined;
  if (!env.DISCORD_TOKEN)
    problem('DISCORD_TOKEN', 'is required for Discord: the bot token (Developer Portal → Bot)');
  if (!env.DISCORD_APPLICATION_ID) {
    problem(
      'DISCORD_APPLICATION_ID',
      'is required for Discord: the application id (Developer Portal → General)',
    );
  } else if (!/^\d{17,20}$/.test(env.DISCORD_APPLICATION_ID)) {
    problem('DISCORD_APPLICATION_ID', `must be a numeric snowflake id (got '${env.DISCORD_APPLICATION_ID}')`);
  }
  if (env.DISCORD_GUILD_ID && !/^\d{17,20}$/.test(env.DISCORD_GUILD_ID)) {
    problem('DISCORD_GUILD_ID', `must be a numeric snowflake id (got '${env.DISCORD_GUILD_ID}')`);
  }
  if (env.DISCORD_API_URL && !isUrl(env.DISCORD_API_URL, ['http:', 'https:'])) {
    problem('DISCORD_API_URL', `must be an http(s) URL (got '${env.DISCORD_API_URL}')`);
  }
  if (!env.DISCORD_TOKEN || !env.DISCORD_APPLICATION_ID) return undefined;
  return {
    token: env.DISCORD_TOKEN,
    applicationId: env.DISCORD_APPLICATION_ID,
    guildId: env.DISCORD_GUILD_ID,
    apiUrl: env.DISCORD_API_URL,
  };
}
