// Where each alert goes, by type and severity (ALERT_ROUTES): failed backups to the backup team's
// channel, fencing and quorum to on-call's, errors of any kind to a second place. An alert goes to
// every route that matches it; one no route matches goes to the alert channels
// (ALERT_SLACK_CHANNEL / ALERT_DISCORD_CHANNEL, by default the digest's). Routes only choose where
// a new incident's card goes: its updates follow the card wherever it went.
//
// The setting, routes separated by `;`, each `<types>[@<severities>]=<channels>`:
//   vzdump,replication=slack:C0BACKUPS; fencing,quorum,node=slack:C0ONCALL discord:123456789012345678; *@error=slack:C0ONCALL
// `*` is every type; without `@` every severity; channels are platform-qualified and separated by
// spaces or commas.
import type { ThreadRef } from '../job-events.js';
import { ALERT_SEVERITIES, ALERT_TYPES, type Alert } from './alert.js';

export interface AlertRoute {
  /** The types it takes; undefined: every type (`*`). */
  types?: readonly string[];
  /** The severities it takes; undefined: every severity. */
  severities?: readonly string[];
  threads: ThreadRef[];
}

// Slack's channel ids are upper-case letters and digits (C024BE91L); Discord's are snowflakes.
const CHANNEL = { slack: /^[A-Z0-9]{2,}$/, discord: /^\d{17,20}$/ } as const;

/** Reads ALERT_ROUTES; the error names the route and what would be right. */
export function parseAlertRoutes(
  text: string,
): { ok: true; routes: AlertRoute[] } | { ok: false; error: string } {
  const routes: AlertRoute[] = [];
  for (const raw of text
    .split(';')
    .map((r) => r.trim())
    .filter(Boolean)) {
    const equals = raw.indexOf('=');
    if (equals < 0)
      return {
        ok: false,
        error: `'${raw}' has no '=': write <types>[@<severities>]=<channels>, e.g. vzdump=slack:C0BACKUPS`,
      };
    const [match = '', severityPart] = raw.slice(0, equals).trim().split('@');
    const types = match
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
    if (types.length === 0)
      return { ok: false, error: `'${raw}' names no type: use a type (${ALERT_TYPES.join(', ')}) or *` };
    for (const type of types)
      if (type !== '*' && !(ALERT_TYPES as readonly string[]).includes(type))
        return {
          ok: false,
          error: `'${type}' in '${raw}' is not an alert type: use ${ALERT_TYPES.join(', ')} or *`,
        };
    const severities = severityPart
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    for (const severity of severities ?? [])
      if (!(ALERT_SEVERITIES as readonly string[]).includes(severity))
        return {
          ok: false,
          error: `'${severity}' in '${raw}' is not a severity: use ${ALERT_SEVERITIES.join(', ')}`,
        };
    const threads: ThreadRef[] = [];
    for (const target of raw
      .slice(equals + 1)
      .split(/[\s,]+/)
      .filter(Boolean)) {
      const [platform, channel = ''] = target.split(':');
      const pattern = platform === 'slack' || platform === 'discord' ? CHANNEL[platform] : undefined;
      if (!pattern?.test(channel))
        return {
          ok: false,
          error: `'${target}' in '${raw}' is not a channel: use slack:<channel id> (C0BACKUPS) or discord:<channel id> (digits)`,
        };
      threads.push({ platform: platform as string, channel });
    }
    if (threads.length === 0) return { ok: false, error: `'${raw}' names no channel after '='` };
    routes.push({
      ...(types.includes('*') ? {} : { types }),
      ...(severities && severities.length > 0 ? { severities } : {}),
      threads,
    });
  }
  return { ok: true, routes };
}

/** The threads a new alert goes to: every matching route's (each once), else `fallback`. */
export function routeAlert(
  alert: Pick<Alert, 'type' | 'severity'>,
  routes: readonly AlertRoute[],
  fallback: ThreadRef[],
): ThreadRef[] {
  const matched = routes.filter(
    (r) =>
      (!r.types || r.types.includes(alert.type)) && (!r.severities || r.severities.includes(alert.severity)),
  );
  if (matched.length === 0) return fallback;
  const seen = new Set<string>();
  return matched
    .flatMap((r) => r.threads)
    .filter((t) => {
      const id = `${t.platform}:${String(t.channel)}`;
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    });
}

/** ALERT_ROUTES read for the worker; a mistake stops the process with what would be right. */
export function alertRoutesOf(text: string | undefined): AlertRoute[] | undefined {
  if (text === undefined) return undefined;
  const parsed = parseAlertRoutes(text);
  if (!parsed.ok) throw new Error(`ALERT_ROUTES: ${parsed.error}`);
  return parsed.routes;
}
