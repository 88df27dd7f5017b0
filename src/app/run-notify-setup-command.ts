// `pve-chatops notify:setup --url URL`: makes PVE send its notifications to our receiver
// (POST /pve/notifications): a webhook target and a matcher, created or brought up to date through
// the PVE API, idempotently. PVE never returns a secret's value, so the secret is sent on every
// run ("secret re-sent"); everything else is compared with what PVE returns and only changed
// when it differs.
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs, parseEnv } from 'node:util';
import { loadConfig, type PveConfig } from '../config.js';
import { silentLogger } from '../logger.js';
import { clientFromConfig } from '../proxmox/client-from-config.js';
import { WEBHOOK_BODY_TEMPLATE } from '../proxmox/notification-template.js';
import { decodeWebhookEndpoint, type NamedValue } from '../proxmox/notifications-api.js';
import type { ProxmoxClient } from '../proxmox/proxmox-client.js';
import { isPveError, PveErrorCode } from '../proxmox/pve-error.js';
import type { NotificationMatcher, WebhookEndpoint } from '../proxmox/schemas/notification-schemas.js';

export const NOTIFY_TYPES = ['vzdump', 'replication', 'fencing', 'package-updates', 'system-mail'] as const;
const SEVERITIES = ['info', 'notice', 'warning', 'error', 'unknown'] as const;
const SECRET_MIN = 16;
/** The secret's name in the target, referenced as `{{ secrets.token }}` in the Authorization header. */
const SECRET_NAME = 'token';

export const NOTIFY_PRIVILEGES = `The API token needs, on / (propagate), a role with:
  Mapping.Audit      read the webhook targets back
  Mapping.Modify     create and change targets and matchers (/mapping/notifications)
  Sys.AccessNetwork  a webhook target sends requests to the network
                     (or both Sys.Audit and Sys.Modify instead of Sys.AccessNetwork)
e.g. pveum role add ChatopsNotify -privs "Mapping.Audit Mapping.Modify Sys.AccessNetwork"
     pveum acl modify / -token 'chatops@pve!bot' -role ChatopsNotify
`;

export const NOTIFY_SETUP_USAGE = `Usage: pve-chatops notify:setup --url URL [--severity LIST] [--types LIST]
                               [--name NAME] [--env-file FILE]

Creates or updates, through the Proxmox VE API, a webhook notification target that POSTs PVE's
notifications as JSON to pve-chatops' receiver, and a matcher that routes them there. Running it
again changes only what differs (the secret is always sent again: PVE never shows it).

Options:
  --url URL        the receiver, e.g. https://bot.example.com/pve/notifications
                   (or PVE_NOTIFY_URL; http:// only to a loopback address)
  --severity LIST  severities to send (default: warning,error; of ${SEVERITIES.join(', ')})
  --types LIST     event types (default: all of ${NOTIFY_TYPES.join(', ')})
  --name NAME      the target's name (default pve-chatops); the matcher is NAME-matcher
  --env-file FILE  read PVE_* and PVE_NOTIFY_* from FILE as well (default: .env)
  -h, --help       this text

PVE_NOTIFY_SECRET (at least ${SECRET_MIN} characters) is the shared secret PVE sends as
"Authorization: Bearer <secret>"; the receiver checks it. Connection settings are the bot's
(PVE_HOSTS, PVE_TOKEN_ID, PVE_TOKEN_SECRET, PVE_FINGERPRINTS or PVE_CA_FILE).

${NOTIFY_PRIVILEGES}`;

export interface NotifySetupDeps {
  out?: (text: string) => void;
  err?: (text: string) => void;
  env?: Record<string, string | undefined>;
  /** Defaults to the client of the PVE settings. */
  client?: (pve: PveConfig) => ProxmoxClient;
}

class UsageError extends Error {}

export interface NotifySetupPlan {
  name: string;
  matcherName: string;
  url: string;
  secret: string;
  severities: string[];
  types: string[];
}

function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  return bare === 'localhost' || bare === '::1' || /^127\.\d+\.\d+\.\d+$/.test(bare);
}

function list(
  value: string | undefined,
  fallback: readonly string[],
  known: readonly string[],
  what: string,
): string[] {
  if (value === undefined) return [...fallback];
  const items = [
    ...new Set(
      value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean),
    ),
  ];
  const unknown = items.filter((item) => !known.includes(item));
  if (items.length === 0 || unknown.length > 0)
    throw new UsageError(`--${what} takes a comma list of ${known.join(', ')} (got '${value}')`);
  return items;
}

/** The command line and PVE_NOTIFY_* checked; throws UsageError with the reason. */
export function planNotifySetup(
  argv: string[],
  env: Record<string, string | undefined>,
): NotifySetupPlan & {
  help: boolean;
  envFile: string;
} {
  const { values } = parseArgs({
    args: argv,
    options: {
      url: { type: 'string' },
      severity: { type: 'string' },
      types: { type: 'string' },
      name: { type: 'string' },
      'env-file': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const envFile = values['env-file'] ?? '.env';
  const base = { help: values.help === true, envFile };
  if (base.help)
    return { ...base, name: '', matcherName: '', url: '', secret: '', severities: [], types: [] };
  const merged = withEnvFile(env, envFile);
  const url = values.url ?? merged.PVE_NOTIFY_URL;
  if (!url)
    throw new UsageError(
      'the receiver URL is required: --url https://bot.example.com/pve/notifications (or PVE_NOTIFY_URL)',
    );
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(
      `--url must be an http(s) URL, e.g. https://bot.example.com/pve/notifications (got '${url}')`,
    );
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    throw new UsageError(`--url must be an http(s) URL (got '${url}')`);
  if (parsed.protocol === 'http:' && !isLoopbackHost(parsed.hostname))
    throw new UsageError(
      `--url ${url}: plain http:// would send the secret unencrypted to ${parsed.hostname}; use https:// (http:// is accepted only for 127.0.0.1, ::1 or localhost)`,
    );
  const secret = merged.PVE_NOTIFY_SECRET ?? '';
  if (secret.trim() === '')
    throw new UsageError('PVE_NOTIFY_SECRET is not set: the receiver checks it (e.g. openssl rand -hex 32)');
  if (secret.length < SECRET_MIN || !/^[\x21-\x7e]+$/.test(secret))
    throw new UsageError(
      `PVE_NOTIFY_SECRET must be at least ${SECRET_MIN} printable characters without spaces (got ${secret.length})`,
    );
  const name = values.name ?? 'pve-chatops';
  if (!/^[A-Za-z][A-Za-z0-9_.-]*$/.test(name) || name.length > 100)
    throw new UsageError(
      `--name must start with a letter and hold letters, digits, '-', '_' or '.' (got '${name}')`,
    );
  return {
    ...base,
    name,
    matcherName: `${name}-matcher`,
    url,
    secret,
    severities: list(values.severity, ['warning', 'error'], SEVERITIES, 'severity'),
    types: list(values.types, NOTIFY_TYPES, NOTIFY_TYPES, 'types'),
  };
}

/** The environment over FILE's variables; a variable set (not empty) in the environment wins. */
function withEnvFile(
  env: Record<string, string | undefined>,
  file: string,
): Record<string, string | undefined> {
  if (!existsSync(file)) return env;
  const set = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''));
  return { ...parseEnv(readFileSync(file, 'utf8')), ...set };
}

const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

function wantedHeaders(): NamedValue[] {
  return [
    { name: 'Content-Type', value: 'application/json' },
    { name: 'Authorization', value: `Bearer {{ secrets.${SECRET_NAME} }}` },
  ];
}

/** What differs between the stored target and ours (secret values cannot be compared). */
function webhookDifferences(stored: WebhookEndpoint, plan: NotifySetupPlan): string[] {
  const have = decodeWebhookEndpoint(stored);
  const want = wantedHeaders();
  const changes: string[] = [];
  if (have.url !== plan.url) changes.push('url');
  if (have.method !== 'post') changes.push('method');
  if (
    !sameList(
      have.headers.map((h) => `${h.name}: ${h.value}`),
      want.map((h) => `${h.name}: ${h.value}`),
    )
  )
    changes.push('headers');
  if (have.body !== WEBHOOK_BODY_TEMPLATE) changes.push('body');
  if (!sameList(have.secretNames, [SECRET_NAME])) changes.push('secrets');
  if (have.disable) changes.push('enabled');
  return changes;
}

function matcherDifferences(stored: NotificationMatcher, plan: NotifySetupPlan): string[] {
  const changes: string[] = [];
  if (!sameList(stored['match-severity'] ?? [], [plan.severities.join(',')])) changes.push('severity');
  if (!sameList(stored['match-field'] ?? [], [`exact:type=${plan.types.join(',')}`])) changes.push('types');
  if (!sameList(stored.target ?? [], [plan.name])) changes.push('target');
  if ((stored.mode ?? 'all') !== 'all') changes.push('mode');
  if (stored['invert-match']) changes.push('invert-match');
  if ((stored['match-calendar'] ?? []).length > 0) changes.push('calendar');
  if (stored.disable) changes.push('enabled');
  return changes;
}

async function orNotFound<T>(read: Promise<T>): Promise<T | undefined> {
  try {
    return await read;
  } catch (error) {
    if (isPveError(error) && error.statusCode === 404) return undefined;
    throw error;
  }
}

/** Creates or updates the target and the matcher; returns the lines to print. */
export async function applyNotifySetup(client: ProxmoxClient, plan: NotifySetupPlan): Promise<string[]> {
  const lines: string[] = [];
  const spec = {
    url: plan.url,
    method: 'post' as const,
    headers: wantedHeaders(),
    body: WEBHOOK_BODY_TEMPLATE,
    secrets: [{ name: SECRET_NAME, value: plan.secret }],
  };
  const stored = await orNotFound(client.webhookEndpoint(plan.name));
  if (!stored) {
    await client.createWebhookEndpoint({ name: plan.name, ...spec, comment: 'pve-chatops receiver' });
    lines.push(`created webhook target ${plan.name} (POST ${plan.url})`);
  } else {
    const changes = webhookDifferences(stored, plan);
    // Always sent: the secret cannot be read back to compare; the rest only when it differs.
    await client.updateWebhookEndpoint(plan.name, {
      ...(changes.length > 0 ? spec : { secrets: spec.secrets }),
      ...(stored.disable ? { delete: ['disable'] } : {}),
      ...(stored.digest === undefined ? {} : { digest: stored.digest }),
    });
    lines.push(
      changes.length > 0
        ? `updated webhook target ${plan.name}: ${changes.join(', ')}; secret re-sent`
        : `webhook target ${plan.name} unchanged; secret re-sent`,
    );
  }
  // mode all applies inside each list too: the alternatives go in ONE item each.
  const matcher = {
    target: [plan.name],
    matchSeverity: [plan.severities.join(',')],
    matchField: [`exact:type=${plan.types.join(',')}`],
    mode: 'all' as const,
  };
  const storedMatcher = await orNotFound(client.notificationMatcher(plan.matcherName));
  if (!storedMatcher) {
    await client.createNotificationMatcher({ name: plan.matcherName, ...matcher, comment: 'pve-chatops' });
    lines.push(
      `created matcher ${plan.matcherName} (severity ${matcher.matchSeverity[0]}; types ${plan.types.join(',')})`,
    );
  } else {
    const changes = matcherDifferences(storedMatcher, plan);
    if (changes.length === 0) lines.push(`matcher ${plan.matcherName} unchanged`);
    else {
      const remove = [
        ...(storedMatcher['invert-match'] ? ['invert-match'] : []),
        ...((storedMatcher['match-calendar'] ?? []).length > 0 ? ['match-calendar'] : []),
        ...(storedMatcher.disable ? ['disable'] : []),
      ];
      await client.updateNotificationMatcher(plan.matcherName, {
        ...matcher,
        ...(remove.length > 0 ? { delete: remove } : {}),
        ...(storedMatcher.digest === undefined ? {} : { digest: storedMatcher.digest }),
      });
      lines.push(`updated matcher ${plan.matcherName}: ${changes.join(', ')}`);
    }
  }
  return lines;
}

/** A 403 in the words of what the token lacks for that step. */
function explainPermission(error: unknown): string | undefined {
  if (!isPveError(error) || error.code !== PveErrorCode.Permission) return undefined;
  return `PVE refused (403 ${error.message}): the API token lacks a privilege.\n\n${NOTIFY_PRIVILEGES}`;
}

export async function runNotifySetupCommand(argv: string[], deps: NotifySetupDeps = {}): Promise<void> {
  const out = deps.out ?? ((text: string) => process.stdout.write(text));
  const err = deps.err ?? ((text: string) => process.stderr.write(text));
  const env = deps.env ?? process.env;
  let plan: ReturnType<typeof planNotifySetup>;
  try {
    plan = planNotifySetup(argv, env);
  } catch (error) {
    if (!(error instanceof UsageError) && !(error instanceof TypeError)) throw error;
    err(`pve-chatops notify:setup: ${error.message}\n\n${NOTIFY_SETUP_USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (plan.help) {
    out(NOTIFY_SETUP_USAGE);
    return;
  }
  const config = loadConfig({ env, envFile: plan.envFile, needs: ['pve'] });
  const pve = config.pve!;
  const client = deps.client ? deps.client(pve) : clientFromConfig(pve, silentLogger);
  try {
    const lines = await applyNotifySetup(client, plan);
    out(
      `${lines.join('\n')}\n\nPVE now sends ${plan.types.join(', ')} notifications of severity ${plan.severities.join(', ')} to ${plan.url}.\nTry it: Datacenter → Notifications → ${plan.name} → Test, or pvesh create /cluster/notifications/targets/${plan.name}/test\n\n${NOTIFY_PRIVILEGES}`,
    );
  } catch (error) {
    const permission = explainPermission(error);
    if (!permission) throw error;
    err(`pve-chatops notify:setup: ${permission}`);
    process.exitCode = 1;
  } finally {
    await client.close();
  }
}
