// The policy file's shape, in zod, and what to tell an operator when it is wrong. Cross-references
// (a role used but not defined) are checked in load-policy.ts, where every role is known.
import { z } from 'zod';
import { isTimeZone } from '../../config/environment.js';
import { SNAPSHOT_KEEP_MAX } from '../../jobs/snapshots/bot-snapshot-name.js';
import { closestNames } from '../closest-names.js';
import { clockTime, weekdayNumber } from '../schedule/start-time.js';
import {
  ANY_COMMAND,
  ANYONE,
  DEFAULT_APPROVAL_TTL_MS,
  DEFAULT_GRACE_MS,
  DEFAULT_PERMISSIONS_CACHE_SECONDS,
  DEFAULT_REMIND_MS,
  IDENTITY_MODES,
  MAX_PERMISSIONS_CACHE_SECONDS,
  SAFETY_NET_COMMANDS,
} from './policy-types.js';

const ROLE_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;
/** A command's name, or `<name>@<cluster>` for its rule on one cluster (several clusters). */
const COMMAND_NAME = /^[a-z][a-z0-9-]*(@[a-z0-9][a-z0-9-]*)?$/;
const CHANNEL = /^(console|slack|discord):\S+$/;
const MAX_TTL_MS = 7 * 24 * 3_600_000;

const IDENTITY_FORMS: Record<string, { pattern: RegExp; example: string; note: string }> = {
  console: { pattern: /^[A-Za-z0-9._-]+$/, example: 'console:alice', note: 'a console user name' },
  slack: {
    pattern: /^[UW][A-Z0-9]+$/,
    example: 'slack:U0123ABC',
    note: "a Slack member id, not a name (profile → ⋮ → 'Copy member ID')",
  },
  'slack-group': {
    pattern: /^S[A-Z0-9]+$/,
    example: 'slack-group:S0ONCALL',
    note: 'a Slack user group id (S…)',
  },
  discord: { pattern: /^\d+$/, example: 'discord:80351110224678912', note: 'a Discord user id (digits)' },
  'discord-role': {
    pattern: /^\d+$/,
    example: 'discord-role:123456789012345678',
    note: 'a Discord role id (digits)',
  },
};

/** Why `value` is not an identity, or undefined when it is one. */
export function identityProblem(value: string): string | undefined {
  if (value === ANYONE) return undefined;
  const colon = value.indexOf(':');
  const form = colon > 0 ? IDENTITY_FORMS[value.slice(0, colon)] : undefined;
  if (!form) {
    return `'${value}' is not an identity: start it with console:, slack:, slack-group:, discord: or discord-role:, or write '*' for everyone`;
  }
  if (!form.pattern.test(value.slice(colon + 1))) {
    return `'${value}' is not a valid ${value.slice(0, colon)} identity: it needs ${form.note}, e.g. ${form.example}`;
  }
  return undefined;
}

/** `90s`, `30m`, `2h` → milliseconds; undefined when it is not such a duration. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+)\s*(s|m|h)$/.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * { s: 1_000, m: 60_000, h: 3_600_000 }[match[2] as 's' | 'm' | 'h'];
}

const identity = z.string().superRefine((value, ctx) => {
  const problem = identityProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** One person (console:, slack:, discord:) or one group (slack-group:, discord-role:), never `*`. */
function identityOfKind(kind: 'person' | 'group') {
  const prefixes = kind === 'person' ? ['console', 'slack', 'discord'] : ['slack-group', 'discord-role'];
  return z.string().superRefine((value, ctx) => {
    const problem = value === ANYONE ? `'*'` : identityProblem(value);
    if (problem) {
      ctx.addIssue({
        code: 'custom',
        message: problem === `'*'` ? `'*' maps no one: name a ${kind}` : problem,
      });
      return;
    }
    if (!prefixes.some((prefix) => value.startsWith(`${prefix}:`))) {
      ctx.addIssue({
        code: 'custom',
        message: `'${value}' is not a ${kind}: identities.${kind === 'person' ? 'users' : 'groups'} takes ${prefixes.map((p) => `${p}:`).join(', ')} identities${kind === 'person' ? ' (groups go under identities.groups)' : ' (people go under identities.users)'}`,
      });
    }
  });
}

const wallClock = z.string().refine((value) => clockTime(value) !== undefined, {
  error: (issue) => `'${String(issue.input)}' is not a time of day: write HH:MM, e.g. 02:00`,
});
const weekday = z.string().transform((value, ctx) => {
  const day = weekdayNumber(value);
  if (day === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `'${value}' is not a weekday: write mon, tue, wed, thu, fri, sat or sun`,
    });
    return z.NEVER;
  }
  return day;
});

/**
 * A PVE user id as pve-access-control's verify_username accepts it: `<name>@<realm>`, the name
 * without white space, ':' or '/', the realm a letter then letters, digits, '.', '-' or '_', at most
 * 64 characters. An API token (`user@realm!name`) is not a person.
 */
const PVE_USERID = /^[^\s:/]+@[A-Za-z][A-Za-z\d.\-_]+$/;
const pveUserid = z.string().refine((value) => value.length <= 64 && PVE_USERID.test(value), {
  error: (issue) =>
    String(issue.input).includes('!')
      ? `'${String(issue.input)}' is an API token; map the person to their PVE user id instead, e.g. alice@pve`
      : `'${String(issue.input)}' is not a PVE user id: write <name>@<realm> as in Datacenter → Permissions → Users, e.g. alice@pve or bob@ldap`,
});
const roleName = z.string().regex(ROLE_NAME, {
  error: (issue) => `'${String(issue.input)}' is not a role name: use letters, digits, '-' and '_'`,
});
const duration = z.string().transform((value, ctx) => {
  const ms = parseDuration(value);
  if (ms === undefined || ms < 1_000 || ms > MAX_TTL_MS) {
    ctx.addIssue({
      code: 'custom',
      message:
        ms === undefined
          ? `'${value}' is not a duration: write a number and s, m or h, e.g. 30m`
          : `'${value}' is out of range: from 1s to 168h`,
    });
    return z.NEVER;
  }
  return ms;
});

const approvalSchema = z.union([
  z.literal('none'),
  z.strictObject({
    approvers: z.array(roleName).min(1),
    count: z.number().int().min(1).default(1),
    ttl: duration.default(DEFAULT_APPROVAL_TTL_MS),
    allowSelf: z.boolean().default(false),
  }),
]);

const commandSchema = z.strictObject({
  allow: z.array(roleName).min(1),
  channels: z
    .array(
      z.string().regex(CHANNEL, {
        error: (issue) =>
          `'${String(issue.input)}' is not a platform-qualified channel id: write slack:C024BE91L, discord:123456789012345678 or console:<name>`,
      }),
    )
    .min(1)
    .optional(),
  approval: approvalSchema.optional(),
});

export const policyFileSchema = z.strictObject({
  roles: z.record(roleName, z.strictObject({ members: z.array(identity).min(1) })).default({}),
  commands: z
    .record(
      z.string().refine((name) => name === ANY_COMMAND || COMMAND_NAME.test(name), {
        error: (issue) =>
          `'${String(issue.input)}' is not a command name: use the name typed after /pve (e.g. migrate, or migrate@prod for one cluster), or '*' for every other command`,
      }),
      commandSchema,
    )
    .default({}),
  /**
   * Snapshot retention: after the bot takes a snapshot of a guest, its own snapshots of that
   * guest (named chatops-<date>-<time>) beyond the newest `keep` are deleted, oldest first.
   * Absent: none. `before`: the commands whose jobs snapshot their guests first (the safety net).
   */
  snapshots: z
    .strictObject({
      keep: z.number().int().min(1).max(SNAPSHOT_KEEP_MAX).optional(),
      before: z
        .array(
          z.enum(SAFETY_NET_COMMANDS, {
            error: (issue) =>
              `'${String(issue.input)}' takes no safety net: snapshots.before lists commands whose jobs put guests at risk, any of ${SAFETY_NET_COMMANDS.join(', ')}`,
          }),
        )
        .optional(),
    })
    .optional(),
  /** Channel → the cluster its commands are for when they name none. */
  channelClusters: z
    .record(
      z.string().regex(CHANNEL, {
        error: (issue) =>
          `'${String(issue.input)}' is not a platform-qualified channel id: write slack:C024BE91L, discord:123456789012345678 or console:<name>`,
      }),
      z.string().regex(/^[a-z0-9][a-z0-9-]*$/, {
        error: (issue) =>
          `'${String(issue.input)}' is not a cluster name: write one as the clusters file names it, e.g. lab`,
      }),
    )
    .optional(),
  /** Work approved now that runs later (docs/scheduling.md). */
  schedule: z
    .strictObject({
      timeZone: z
        .string()
        .refine(isTimeZone, {
          error: (issue) =>
            `'${String(issue.input)}' is not a time zone: write an IANA name such as Europe/Paris or UTC`,
        })
        .optional(),
      remind: duration.default(DEFAULT_REMIND_MS),
      grace: duration.default(DEFAULT_GRACE_MS),
      windows: z
        .record(
          z.string().regex(/^[a-z][a-z0-9-]*$/, {
            error: (issue) =>
              `'${String(issue.input)}' is not a window name: use lower-case letters, digits and '-', e.g. night`,
          }),
          z.strictObject({ days: z.array(weekday).min(1), start: wallClock, end: wallClock }),
        )
        .default({}),
    })
    .optional(),
  /**
   * Chat people and groups → their PVE user, so PVE's own roles and ACLs bound what each may do
   * from chat (docs/permissions.md). Absent: mode off.
   */
  identities: z
    .strictObject({
      mode: z
        .enum(IDENTITY_MODES, {
          error: (issue) =>
            `'${String(issue.input)}' is not a mode: write required (an unmapped person may only read), optional (only mapped people are checked against PVE) or off`,
        })
        .default('off'),
      users: z.record(identityOfKind('person'), pveUserid).default({}),
      groups: z.record(identityOfKind('group'), pveUserid).default({}),
      checkApprovers: z.boolean().default(true),
      cacheSeconds: z
        .number()
        .int()
        .min(0)
        .max(MAX_PERMISSIONS_CACHE_SECONDS)
        .default(DEFAULT_PERMISSIONS_CACHE_SECONDS),
    })
    .optional(),
});
export type PolicyFile = z.output<typeof policyFileSchema>;

type Path = (string | number)[];

const ALLOWED_KEYS: Record<string, string[]> = {
  document: ['roles', 'commands', 'snapshots', 'identities', 'schedule', 'channelClusters'],
  schedule: ['timeZone', 'remind', 'grace', 'windows'],
  window: ['days', 'start', 'end'],
  snapshots: ['keep', 'before'],
  identities: ['mode', 'users', 'groups', 'checkApprovers', 'cacheSeconds'],
  role: ['members'],
  command: ['allow', 'channels', 'approval'],
  approval: ['approvers', 'count', 'ttl', 'allowSelf'],
};

/** What kind of place `path` is in the document. */
function placeOf(path: Path): string {
  const [top, , field, sub] = path;
  if (path.length === 0) return 'document';
  if (path.length === 1) return String(top);
  if (top === 'snapshots' || top === 'identities') return `${top}.${String(path[1])}`;
  if (top === 'channelClusters') return 'channelClusters';
  if (top === 'schedule') {
    if (path[1] !== 'windows' || path.length === 2) return `schedule.${String(path[1])}`;
    return path.length === 3 ? 'window' : `window.${String(path[3])}`;
  }
  if (path.length === 2) return top === 'roles' ? 'role' : 'command';
  if (field === 'approval') return sub === undefined ? 'approval' : String(sub);
  return String(field);
}

/** What would be right at each place, said once per problem. */
const EXPECTED: Record<string, string> = {
  document: 'a map with roles:, commands: and (optionally) snapshots:, identities: and schedule:',
  schedule:
    'a map like { timeZone: Europe/Paris, remind: 15m, grace: 30m, windows: { night: { days: [mon, tue], start: "02:00", end: "05:00" } } }',
  'schedule.timeZone': 'an IANA time zone such as Europe/Paris or UTC',
  channelClusters: 'a map from channel to the cluster its commands are for, e.g. { "slack:C0LAB": lab }',
  'schedule.remind':
    'a duration: how long before its start a scheduled job is recalled in its thread, e.g. 15m',
  'schedule.grace': 'a duration: how late after its --at time a job may still start, e.g. 30m',
  'schedule.windows': 'a map from window name to { days, start, end }',
  window: 'a map like { days: [sat, sun], start: "01:00", end: "05:00" }',
  'window.days': 'a list of weekdays: mon, tue, wed, thu, fri, sat, sun',
  'window.start': 'a time of day HH:MM, e.g. 02:00',
  'window.end': 'a time of day HH:MM (at or before start: the next day), e.g. 05:00',
  identities:
    'a map like { mode: required, users: { "slack:U0123ABC": alice@pve }, groups: { "slack-group:S0ONCALL": oncall@pve } }',
  'identities.mode': `one of ${IDENTITY_MODES.join(', ')} (required: an unmapped person may only read; optional: only mapped people are checked against PVE; off: no PVE check)`,
  'identities.users':
    'a map from a person (console:alice, slack:U0123ABC, discord:80351110224678912) to their PVE user id, e.g. alice@pve',
  'identities.groups':
    'a map from a group (slack-group:S0ONCALL, discord-role:123456789012345678) to a PVE user id, e.g. oncall@pve',
  'identities.checkApprovers':
    'true or false (true: an approver needs the same PVE privileges as the request)',
  'identities.cacheSeconds': `a whole number of seconds from 0 to ${MAX_PERMISSIONS_CACHE_SECONDS}: how long PVE's answer about a person's privileges is reused`,
  snapshots: 'a map like { keep: 3, before: [upgrade, rollback] }',
  'snapshots.before': `a list of the commands whose jobs snapshot their guests first: any of ${SAFETY_NET_COMMANDS.join(', ')}`,
  'snapshots.keep': `a whole number from 1 to ${SNAPSHOT_KEEP_MAX}: how many of the bot's own snapshots to keep per guest`,
  roles: 'a map from role name to { members: [identities] }',
  role: 'a map like { members: [slack-group:S0ONCALL, console:dave] }',
  members:
    "a list of identities: console:alice, slack:U0123ABC, slack-group:S0ONCALL, discord:80351110224678912, discord-role:123456789012345678, or '*' for everyone",
  commands: "a map from command name (or '*') to { allow, channels, approval }",
  command: 'a map like { allow: [on-call], channels: [slack:C024BE91L], approval: { approvers: [on-call] } }',
  allow: 'a list of role names defined under roles: (or everyone), e.g. [on-call]',
  channels: 'a list of platform-qualified channel ids, e.g. [slack:C024BE91L, discord:123456789012345678]',
  approval: 'none, or a map like { approvers: [on-call], count: 1, ttl: 30m, allowSelf: false }',
  approvers: 'a list of role names defined under roles:, e.g. [on-call]',
  count: 'a whole number of distinct approvers, 1 or more, e.g. 2',
  ttl: 'a duration: a number and s, m or h, e.g. 30m',
  allowSelf: 'true or false (false: requesters never approve their own requests)',
};

function didYouMean(key: string, allowed: string[]): string {
  const [close] = closestNames(key, allowed, 1);
  return close ? ` (did you mean '${close}'?)` : '';
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'string') return `the text '${value}'`;
  return `${typeof value} ${String(value)}`;
}

function valueAt(root: unknown, path: Path): unknown {
  let value = root;
  for (const key of path) value = (value as Record<string | number, unknown> | undefined)?.[key];
  return value;
}

export interface PolicyProblem {
  path: Path;
  message: string;
}

/** zod issues → problems that say what is wrong and what would be right. */
export function describeIssues(
  issues: readonly z.core.$ZodIssue[],
  data: unknown,
  base: Path = [],
): PolicyProblem[] {
  return issues.flatMap((issue): PolicyProblem[] => {
    const path = [...base, ...(issue.path as Path)];
    const place = placeOf(path);
    const value = valueAt(data, path);
    const expected = EXPECTED[place];
    switch (issue.code) {
      case 'invalid_union': {
        const objectBranch = issue.errors[1];
        if (objectBranch && value !== null && typeof value === 'object' && !Array.isArray(value))
          return describeIssues(objectBranch, data, path);
        return [{ path, message: `got ${describeValue(value)}; expected ${expected}` }];
      }
      case 'unrecognized_keys': {
        const allowed = ALLOWED_KEYS[place] ?? [];
        return issue.keys.map((key) => ({
          path: [...path, key],
          message: `unknown key '${key}'${didYouMean(key, allowed)}; allowed here: ${allowed.join(', ')}`,
        }));
      }
      case 'invalid_type':
        return [
          {
            path,
            message:
              value === undefined
                ? `missing; expected ${expected}`
                : `got ${describeValue(value)}; expected ${expected}`,
          },
        ];
      case 'too_small':
        return [
          {
            path,
            message: Array.isArray(value)
              ? `is empty; expected ${expected}`
              : `got ${describeValue(value)}; expected ${expected}`,
          },
        ];
      case 'invalid_key':
        return [{ path, message: issue.issues.map((inner) => inner.message).join('; ') }];
      case 'not_multiple_of':
      case 'too_big':
        return [{ path, message: `got ${describeValue(value)}; expected ${expected}` }];
      default:
        return [{ path, message: issue.message }];
    }
  });
}
