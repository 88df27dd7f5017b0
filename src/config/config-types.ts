// The typed configuration every module receives (src/config.ts builds it from the environment).
import type { BalanceSettings } from './balance-settings.js';
import type { AlertConfig } from './read-alert-config.js';
import type { WatchSettings } from './read-watch-config.js';

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
  /** The port of every node's sshd (one value for the whole cluster). */
  port: number;
}

export interface SlackConfig {
  botToken: string;
  /** HTTP mode (POST /slack/events): requests are signature-checked with this secret. */
  signingSecret?: string;
  /** Socket Mode: an app-level token (xapp-…). */
  appToken?: string;
  apiUrl?: string;
  /** Workspaces served besides the bot's own (SLACK_TEAM_IDS). */
  teamIds: string[];
  /** Enterprise Grid organisations served, every workspace of each (SLACK_ENTERPRISE_IDS). */
  enterpriseIds: string[];
}

export interface DiscordConfig {
  token: string;
  applicationId: string;
  /**
   * The servers served (DISCORD_GUILD_IDS and DISCORD_GUILD_ID); never empty in a process that
   * serves chat (the adapter refuses to start without them too).
   */
  guildIds: string[];
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
  /**
   * A job that could not start within this long of its request is not run but reported in its
   * thread (JOB_START_DEADLINE_SECONDS): a stop or an approved migration never runs minutes late.
   */
  startDeadlineMs: number;
}

/**
 * How a bot replica handles what it and the other replicas acknowledged: it takes entries from
 * the intake stream through one consumer group shared by every replica.
 */
export interface IntakeConfig {
  /** INTAKE_CONCURRENCY: entries this replica handles at once; a burst waits in the stream. */
  concurrency: number;
  /**
   * INTAKE_CLAIM_IDLE_MS: an entry whose handler stopped refreshing its claim for this long (its
   * replica died or hangs) is taken over by another replica. The claim is refreshed every third.
   */
  claimIdleMs: number;
}

/**
 * Where /healthz, /metrics and the queue dashboard are served (OPS_*, METRICS_TOKEN). PORT always
 * serves /healthz (load balancers, container health checks) and Slack's /slack/events; /metrics
 * is served there only to a holder of the token. With `port`, a listener of its own on `host`
 * serves /metrics (the token asked there too when set) and the dashboard.
 */
export interface OpsConfig {
  /** OPS_PORT; no listener of its own without it. */
  port?: number;
  /** OPS_HOST: the ops listener's address. Default 127.0.0.1 (this host only). */
  host: string;
  /** METRICS_TOKEN: `Authorization: Bearer <token>` for /metrics. */
  metricsToken?: string;
}

import type { ClusterConfig } from './cluster-config-types.js';

export interface AppConfig {
  redisUrl: string;
  /** Namespaces every Redis key, so several deployments (or test runs) can share one Redis. */
  redisPrefix: string;
  worker: WorkerConfig;
  intake: IntakeConfig;
  port: number;
  ops: OpsConfig;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** The only cluster's, or with PVE_CLUSTERS_FILE the first cluster's (the default one). */
  pve?: PveConfig;
  ssh?: SshConfig;
  /** PVE_CLUSTERS_FILE: every cluster the bot drives, by name. */
  clusters?: ClusterConfig[];
  slack?: SlackConfig;
  discord?: DiscordConfig;
  digest: {
    cron: string;
    timeZone: string;
    slackChannel?: string;
    discordChannel?: string;
    /** BACKUP_MAX_AGE_DAYS: a guest whose newest backup is older is flagged (digest, `/pve status`). */
    backupMaxAgeDays: number;
  };
  /** PVE's notifications: the receiver's secret and the alert channels (read-alert-config.ts). */
  alerts: AlertConfig;
  /** What the cluster watch reports: ALERT_TASK_TYPES, ALERT_TASK_IGNORE, ALERT_STORAGE_PERCENT. */
  watch: WatchSettings;
  policyFile?: string;
  /** The queue dashboard (bull-board) behind HTTP Basic auth; off unless DASHBOARD_USER/PASSWORD are set. */
  dashboard?: { user: string; password: string; path: string };
  /** Defaults of `/pve balance` (BALANCE_*). */
  balance: BalanceSettings;
}
