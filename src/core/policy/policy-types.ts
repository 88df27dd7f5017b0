// What a loaded policy is once validated: roles resolved to identities, durations in ms. Plain
// data, so the checks in check-policy.ts stay pure functions.

/**
 * How disruptive a command is. Each command's module declares it (and may make it depend on the
 * arguments); the pipeline passes it to every check here, so the policy needs no list of
 * commands, and a new command needs no policy code: a new read command is open to everyone, a
 * new disruptive one runs only once a policy entry (its own or `*`) names who may run it.
 */
export type Risk = 'read' | 'disruptive';

/**
 * The policy entry a command is judged under on one cluster: `<entry>@<cluster>` when the policy
 * has that entry (`migrate@prod` needs two approvals, `migrate@lab` none), else the entry itself.
 */
export function scopedEntry(
  policy: Pick<Policy, 'commands'>,
  entry: string,
  cluster: string | undefined,
): string {
  if (cluster === undefined) return entry;
  const scoped = `${entry}@${cluster}`;
  return policy.commands[scoped] ? scoped : entry;
}

/** The identity that matches every user. */
export const ANYONE = '*';
/** The built-in role whose only member is `*`; policy files may use it without defining it. */
export const EVERYONE_ROLE = 'everyone';
/** The key of the entry that covers every command not listed by name. */
export const ANY_COMMAND = '*';
/** How long an approval waits when the policy names no ttl. */
export const DEFAULT_APPROVAL_TTL_MS = 30 * 60_000;

/**
 * What only some people may see: other people's activity and what a new node needs to join.
 * Each is granted by its own policy entry alone (neither `*` nor a default grants it), and is
 * answered to the person only. Without its entry, `jobs` shows a person their own jobs, and the
 * others are refused with how to get access. The value says what it is, in words.
 */
export const PRIVATE_VIEWS = {
  audit: 'the audit log',
  jobs: "the list of everyone's jobs",
  'cluster-join-info': "the cluster's join information (node addresses and certificate fingerprints)",
} as const;
export type PrivateView = keyof typeof PRIVATE_VIEWS;

export interface ApprovalRule {
  /** Role names; a member of any of them may approve. */
  approvers: string[];
  /** Distinct approvers needed. */
  count: number;
  ttlMs: number;
  /** May the requester approve their own request? Never by default. */
  allowSelf: boolean;
}

export interface CommandRule {
  /** Role names; a member of any of them may run the command. */
  allow: string[];
  /** Platform-qualified channel ids the command may be run in; absent: anywhere. */
  channels?: string[];
  /** `none`: runs at once. Absent: inherited from `*`, else the safe default for its risk. */
  approval?: ApprovalRule | 'none';
}

export interface Policy {
  /** Where it came from, for the logs (a file's path stays there, never in chat): a file name or `built-in defaults`. */
  source: string;
  /**
   * The built-in defaults, used when no policy file is given: read commands only. Refusals then
   * say how to write a policy file instead of quoting one.
   */
  builtIn?: boolean;
  /** Role name → identities (`console:alice`, `slack-group:S0ONCALL`, `*`). Always holds `everyone`. */
  roles: Record<string, string[]>;
  /** Command name or `*` → rule. */
  commands: Record<string, CommandRule>;
  /**
   * Snapshot retention: after the bot takes a snapshot of a guest, its own snapshots of that guest
   * beyond the newest `keep` are deleted, oldest first (never a person's). Absent: none deleted.
   * `before`: the safety net, the commands whose jobs first snapshot every guest they put at
   * risk (as `--snapshot` does for one request).
   */
  snapshots?: { keep?: number; before?: SafetyNetCommand[] };
  /** Who each chat person is in PVE; absent: mode off (the policy alone decides). */
  identities?: IdentityPolicy;
  /** Channel → the cluster its commands are for when they name none (several clusters). */
  channelClusters?: Record<string, string>;
  /** Work approved now that runs later: `--at`, `--window` (docs/scheduling.md). */
  schedule?: SchedulePolicy;
}

/** A named maintenance window: the weekdays it opens on (ISO: 1 = Monday) and its wall-clock times. */
export interface MaintenanceWindow {
  days: number[];
  /** `HH:MM`; `end` at or before `start` closes the next day. */
  start: string;
  end: string;
}

export interface SchedulePolicy {
  /** IANA zone `--at` and the windows are read in; absent: DIGEST_TZ's. */
  timeZone?: string;
  /** How long before its start a scheduled job's thread is reminded. */
  remindMs: number;
  /** How late after its `--at` time a job may still start (a missed start is reported, not run). */
  graceMs: number;
  windows: Record<string, MaintenanceWindow>;
}

export const DEFAULT_REMIND_MS = 15 * 60_000;
export const DEFAULT_GRACE_MS = 30 * 60_000;

/**
 * `required`: a person the policy does not map to a PVE user may only read; `optional`: mapped
 * people are checked against PVE, the others by the policy alone; `off`: nobody is.
 */
export const IDENTITY_MODES = ['required', 'optional', 'off'] as const;
export type IdentityMode = (typeof IDENTITY_MODES)[number];
export const DEFAULT_PERMISSIONS_CACHE_SECONDS = 30;
export const MAX_PERMISSIONS_CACHE_SECONDS = 600;

/**
 * Chat people and groups mapped to PVE users. Before anything that acts is requested or approved,
 * the core asks PVE what the person's PVE user may do on the paths it touches.
 */
export interface IdentityPolicy {
  mode: IdentityMode;
  /** Person identity (`slack:U0123ABC`) → PVE user id (`alice@pve`). */
  users: Record<string, string>;
  /** Group identity (`slack-group:S0ONCALL`) → PVE user id, for members not mapped themselves. */
  groups: Record<string, string>;
  /** Approving needs the privileges the request needs, checked for the approver's PVE user. */
  checkApprovers: boolean;
  /** How long PVE's answer on one user and path is reused. */
  cacheMs: number;
}

/** The rule that applies to one command, after `*` and the defaults are taken into account. */
export interface ResolvedCommandRule {
  allow: string[];
  channels?: string[];
  approval?: ApprovalRule;
  /** Which entry decided: the command's own, `*`, or the built-in default for its risk. */
  from: 'command' | 'any-command' | 'default';
}

/**
 * The commands the safety net applies to: their jobs put known guests at risk (a rollback's guest,
 * a migration's, a stop's; an upgrade's, node by node before each reboot). Each one's job kind
 * snapshots them first (JobKind.guestsAtRisk, or the upgrade's own step).
 */
export const SAFETY_NET_COMMANDS = ['upgrade', 'rollback', 'migrate', 'stop', 'shutdown', 'reboot'] as const;
export type SafetyNetCommand = (typeof SAFETY_NET_COMMANDS)[number];
