// PVE's notification system (pve-manager PVE/API2/Cluster/Notifications.pm over proxmox-notify):
// webhook targets, matchers, the target list and a target's test. Writes need Mapping.Modify on
// /mapping/notifications, a webhook target also Sys.Audit+Sys.Modify or Sys.AccessNetwork on /;
// reading the webhook list needs Mapping.Audit. Array parameters go out as repeated form keys
// (encode-params.ts), which PVE reads as arrays.
import type { PveParams } from './encode-params.js';
import { pvePath } from './pve-path.js';
import type { PveTransport } from './pve-transport.js';
import { nullSchema } from './schemas/guest-schemas.js';
import {
  type MatcherFieldValue,
  matcherFieldsSchema,
  matcherFieldValuesSchema,
  type NotificationMatcher,
  type NotificationTarget,
  notificationMatcherSchema,
  notificationMatchersSchema,
  notificationTargetsSchema,
  type WebhookEndpoint,
  webhookEndpointSchema,
  webhookEndpointsSchema,
} from './schemas/notification-schemas.js';

const BASE = '/cluster/notifications';

/** A header or a secret of a webhook target, value in clear (base64 only on the wire). */
export interface NamedValue {
  name: string;
  value: string;
}

/** `name=<name>,value=<base64(value)>`, or `name=<name>` (a secret kept as stored, on update). */
export function encodeNamedValue(name: string, value?: string): string {
  return value === undefined ? `name=${name}` : `name=${name},value=${Buffer.from(value).toString('base64')}`;
}

/** The inverse of encodeNamedValue: a property string as GET returns it, value decoded. */
export function decodeNamedValue(item: string): { name: string; value?: string } {
  let name = '';
  let value: string | undefined;
  for (const part of item.split(',')) {
    const at = part.indexOf('=');
    const key = at < 0 ? part : part.slice(0, at);
    const raw = at < 0 ? '' : part.slice(at + 1);
    if (key === 'name') name = raw;
    else if (key === 'value') value = Buffer.from(raw, 'base64').toString('utf8');
  }
  return value === undefined ? { name } : { name, value };
}

export interface WebhookEndpointSpec {
  /** Plain text; PVE renders it as a handlebars template (`{{ secrets.x }}` allowed). */
  url: string;
  method: 'post' | 'put' | 'get';
  /** Header values are templates too (`Bearer {{ secrets.token }}`). */
  headers?: NamedValue[];
  /** The body template, in clear. */
  body?: string;
  /** A secret without value keeps the stored one (update only); unlisted secrets are dropped. */
  secrets?: Array<{ name: string; value?: string }>;
  comment?: string;
  disable?: boolean;
}

export interface NewWebhookEndpoint extends WebhookEndpointSpec {
  name: string;
}

export interface WebhookEndpointUpdate extends Partial<WebhookEndpointSpec> {
  /** Any of comment, disable, header, body, secret. */
  delete?: string[];
  /** From GET {name}: PVE refuses the update if the config changed since. */
  digest?: string;
}

function webhookParams(spec: Partial<WebhookEndpointSpec>): PveParams {
  return {
    url: spec.url,
    method: spec.method,
    header: spec.headers?.map((h) => encodeNamedValue(h.name, h.value)),
    body: spec.body === undefined ? undefined : Buffer.from(spec.body).toString('base64'),
    secret: spec.secrets?.map((s) => encodeNamedValue(s.name, s.value)),
    comment: spec.comment,
    disable: spec.disable,
  };
}

/** A webhook target as stored, decoded: headers and body in clear, the secrets' names. */
export interface DecodedWebhookEndpoint {
  name: string;
  url: string;
  method: string;
  headers: NamedValue[];
  body?: string;
  secretNames: string[];
  comment?: string;
  disable: boolean;
  digest?: string;
}

export function decodeWebhookEndpoint(endpoint: WebhookEndpoint): DecodedWebhookEndpoint {
  return {
    name: endpoint.name,
    url: endpoint.url,
    method: endpoint.method,
    headers: (endpoint.header ?? [])
      .map(decodeNamedValue)
      .map((h) => ({ name: h.name, value: h.value ?? '' })),
    ...(endpoint.body === undefined ? {} : { body: Buffer.from(endpoint.body, 'base64').toString('utf8') }),
    secretNames: (endpoint.secret ?? []).map((s) => decodeNamedValue(s).name),
    ...(endpoint.comment === undefined ? {} : { comment: endpoint.comment }),
    disable: endpoint.disable ?? false,
    ...(endpoint.digest === undefined ? {} : { digest: endpoint.digest }),
  };
}

export function listWebhookEndpoints(
  transport: PveTransport,
  signal?: AbortSignal,
): Promise<WebhookEndpoint[]> {
  return transport.request('GET', `${BASE}/endpoints/webhook`, { schema: webhookEndpointsSchema, signal });
}

/** One webhook target with the config's digest; 404 `endpoint '<name>' not found`. */
export function getWebhookEndpoint(
  transport: PveTransport,
  name: string,
  signal?: AbortSignal,
): Promise<WebhookEndpoint> {
  return transport.request('GET', pvePath`/cluster/notifications/endpoints/webhook/${name}`, {
    schema: webhookEndpointSchema,
    signal,
  });
}

/** 400 `Cannot create '<name>', an entity with the same name already exists` (targets and matchers share names). */
export async function createWebhookEndpoint(
  transport: PveTransport,
  endpoint: NewWebhookEndpoint,
  signal?: AbortSignal,
): Promise<void> {
  await transport.request('POST', `${BASE}/endpoints/webhook`, {
    params: { name: endpoint.name, ...webhookParams(endpoint) },
    schema: nullSchema,
    signal,
  });
}

/** Each given property replaces the stored one (the header list wholesale). */
export async function updateWebhookEndpoint(
  transport: PveTransport,
  name: string,
  update: WebhookEndpointUpdate,
  signal?: AbortSignal,
): Promise<void> {
  await transport.request('PUT', pvePath`/cluster/notifications/endpoints/webhook/${name}`, {
    params: { ...webhookParams(update), delete: update.delete, digest: update.digest },
    schema: nullSchema,
    signal,
  });
}

export interface MatcherSpec {
  /** Endpoint names. */
  target?: string[];
  /** `exact:type=vzdump,replication` or `regex:hostname=^node0[12]$`. */
  matchField?: string[];
  /** Comma lists of info|notice|warning|error|unknown: alternatives in ONE item when mode=all. */
  matchSeverity?: string[];
  matchCalendar?: string[];
  mode?: 'all' | 'any';
  invertMatch?: boolean;
  comment?: string;
  disable?: boolean;
}

export interface NewMatcher extends MatcherSpec {
  name: string;
}

export interface MatcherUpdate extends MatcherSpec {
  /** Any of comment, disable, invert-match, match-calendar, match-field, match-severity, mode, target. */
  delete?: string[];
  digest?: string;
}

function matcherParams(spec: MatcherSpec): PveParams {
  return {
    target: spec.target,
    'match-field': spec.matchField,
    'match-severity': spec.matchSeverity,
    'match-calendar': spec.matchCalendar,
    mode: spec.mode,
    'invert-match': spec.invertMatch,
    comment: spec.comment,
    disable: spec.disable,
  };
}

export function listMatchers(transport: PveTransport, signal?: AbortSignal): Promise<NotificationMatcher[]> {
  return transport.request('GET', `${BASE}/matchers`, { schema: notificationMatchersSchema, signal });
}

/** One matcher with the config's digest; 404 `matcher '<name>' not found`. */
export function getMatcher(
  transport: PveTransport,
  name: string,
  signal?: AbortSignal,
): Promise<NotificationMatcher> {
  return transport.request('GET', pvePath`/cluster/notifications/matchers/${name}`, {
    schema: notificationMatcherSchema,
    signal,
  });
}

/** 404 `endpoint '<t>' does not exist` for an unknown target. */
export async function createMatcher(
  transport: PveTransport,
  matcher: NewMatcher,
  signal?: AbortSignal,
): Promise<void> {
  await transport.request('POST', `${BASE}/matchers`, {
    params: { name: matcher.name, ...matcherParams(matcher) },
    schema: nullSchema,
    signal,
  });
}

export async function updateMatcher(
  transport: PveTransport,
  name: string,
  update: MatcherUpdate,
  signal?: AbortSignal,
): Promise<void> {
  await transport.request('PUT', pvePath`/cluster/notifications/matchers/${name}`, {
    params: { ...matcherParams(update), delete: update.delete, digest: update.digest },
    schema: nullSchema,
    signal,
  });
}

export function listNotificationTargets(
  transport: PveTransport,
  signal?: AbortSignal,
): Promise<NotificationTarget[]> {
  return transport.request('GET', `${BASE}/targets`, { schema: notificationTargetsSchema, signal });
}

/**
 * Sends PVE's test notification to that one target, bypassing matchers and `disable`; resolves
 * once the receiver answered 2xx. 500 `Could not test target: <error>` otherwise.
 */
export async function testNotificationTarget(
  transport: PveTransport,
  name: string,
  signal?: AbortSignal,
): Promise<void> {
  await transport.request('POST', pvePath`/cluster/notifications/targets/${name}/test`, {
    schema: nullSchema,
    signal,
  });
}

/** The fields a matcher can match on (type, hostname, job-id). */
export async function listMatcherFields(transport: PveTransport, signal?: AbortSignal): Promise<string[]> {
  const fields = await transport.request('GET', `${BASE}/matcher-fields`, {
    schema: matcherFieldsSchema,
    signal,
  });
  return fields.map((field) => field.name);
}

/** The known values of those fields (backup job ids only with Sys.Audit on /). */
export function listMatcherFieldValues(
  transport: PveTransport,
  signal?: AbortSignal,
): Promise<MatcherFieldValue[]> {
  return transport.request('GET', `${BASE}/matcher-field-values`, {
    schema: matcherFieldValuesSchema,
    signal,
  });
}
