// /cluster/notifications (pve-manager PVE/API2/Cluster/Notifications.pm over proxmox-notify's
// api/*.rs): webhook targets, matchers, the target list, a target's test and the matcher fields.
// Fixtures in test/conformance/pve/fixtures/notifications. Array parameters arrive as arrays
// (repeated form keys); a success answers null.
import type { SimMatcher, SimWebhookTarget } from '../cluster/notification-config.js';
import {
  MAIL_TO_ROOT,
  NotificationConfig,
  normalizeFieldMatch,
  normalizeSeverityMatch,
  parseNamedValue,
} from '../cluster/notification-config.js';
import type { SimCluster } from '../cluster/sim-cluster.js';
import { PveHttpError } from '../pve-http-error.js';
import type { RouteRegistry, SimRequest } from '../types.js';
import { optBool, optStr, str } from './request-params.js';

function list(request: SimRequest, name: string): string[] | undefined {
  const value = request.params[name];
  if (value === undefined) return undefined;
  return (Array.isArray(value) ? value : [value]).map(String);
}

/** api/webhook.rs get_endpoints: empty lists and unset options left out, secrets by name only. */
function renderWebhook(webhook: SimWebhookTarget): Record<string, unknown> {
  return {
    name: webhook.name,
    method: webhook.method,
    url: webhook.url,
    ...(webhook.header.length > 0 ? { header: webhook.header } : {}),
    ...(webhook.body === undefined ? {} : { body: webhook.body }),
    ...(webhook.comment === undefined ? {} : { comment: webhook.comment }),
    ...(webhook.disable ? { disable: 1 } : {}),
    origin: 'user-created',
    ...(webhook.secrets.size > 0
      ? { secret: [...webhook.secrets.keys()].map((name) => `name=${name}`) }
      : {}),
  };
}

function renderMatcher(matcher: SimMatcher): Record<string, unknown> {
  return {
    name: matcher.name,
    ...(matcher.matchField.length > 0 ? { 'match-field': matcher.matchField } : {}),
    ...(matcher.matchSeverity.length > 0 ? { 'match-severity': matcher.matchSeverity } : {}),
    ...(matcher.matchCalendar.length > 0 ? { 'match-calendar': matcher.matchCalendar } : {}),
    ...(matcher.mode === undefined ? {} : { mode: matcher.mode }),
    ...(matcher.invertMatch ? { 'invert-match': 1 } : {}),
    target: matcher.target,
    ...(matcher.comment === undefined ? {} : { comment: matcher.comment }),
    ...(matcher.disable ? { disable: 1 } : {}),
    origin: matcher.origin,
  };
}

/** PVE::Cluster cfs_lock_file around every write: no quorum, no change. */
function writable(cluster: SimCluster): void {
  if (!cluster.isQuorate())
    throw PveHttpError.die("cfs-lock 'file-notifications_cfg' error: got lock request timeout");
}

const WEBHOOK_DELETABLE = new Set(['comment', 'disable', 'header', 'body', 'secret']);
const MATCHER_DELETABLE = new Set([
  'comment',
  'disable',
  'invert-match',
  'match-calendar',
  'match-field',
  'match-severity',
  'mode',
  'target',
]);

export function registerNotificationRoutes(registry: RouteRegistry, cluster: SimCluster): void {
  const bus = cluster.notifications;
  const config = bus.config;

  registry.on('GET', '/cluster/notifications/endpoints/webhook', () =>
    [...config.webhooks.values()].map(renderWebhook),
  );

  registry.on('GET', '/cluster/notifications/endpoints/webhook/{name}', (request) => ({
    ...renderWebhook(config.webhook(str(request, 'name'))),
    digest: config.digest(),
  }));

  registry.on('POST', '/cluster/notifications/endpoints/webhook', (request) => {
    writable(cluster);
    const name = str(request, 'name');
    config.ensureUnique(name);
    const secrets = new Map<string, string>();
    for (const item of list(request, 'secret') ?? []) {
      const { name: secret, value } = parseNamedValue(item, 'secret');
      // Stored as given; a bad base64 value fails only when a notification is sent.
      secrets.set(secret, Buffer.from(value ?? '', 'base64').toString('utf8'));
    }
    for (const item of list(request, 'header') ?? []) parseNamedValue(item, 'header');
    const webhook: SimWebhookTarget = {
      name,
      url: str(request, 'url'),
      method: str(request, 'method') as SimWebhookTarget['method'],
      header: list(request, 'header') ?? [],
      secrets,
    };
    const body = optStr(request, 'body');
    if (body !== undefined) webhook.body = body;
    const comment = optStr(request, 'comment');
    if (comment !== undefined) webhook.comment = comment;
    if (optBool(request, 'disable')) webhook.disable = true;
    config.webhooks.set(name, webhook);
    return null;
  });

  registry.on('PUT', '/cluster/notifications/endpoints/webhook/{name}', (request) => {
    writable(cluster);
    config.verifyDigest(optStr(request, 'digest'));
    const webhook = config.webhook(str(request, 'name'));
    const header = list(request, 'header');
    if (header !== undefined) NotificationConfig.checkHeaders(header);
    const secretItems = list(request, 'secret');
    const secrets =
      secretItems === undefined ? undefined : NotificationConfig.mergeSecrets(webhook.secrets, secretItems);
    for (const key of list(request, 'delete') ?? []) {
      if (!WEBHOOK_DELETABLE.has(key)) throw PveHttpError.die(`unknown property '${key}' in delete`);
      if (key === 'comment') delete webhook.comment;
      else if (key === 'disable') delete webhook.disable;
      else if (key === 'header') webhook.header = [];
      else if (key === 'body') delete webhook.body;
      else webhook.secrets = new Map();
    }
    const url = optStr(request, 'url');
    if (url !== undefined) webhook.url = url;
    const method = optStr(request, 'method');
    if (method !== undefined) webhook.method = method as SimWebhookTarget['method'];
    if (header !== undefined) webhook.header = header;
    const body = optStr(request, 'body');
    if (body !== undefined) webhook.body = body;
    if (secrets !== undefined) webhook.secrets = secrets;
    const comment = optStr(request, 'comment');
    if (comment !== undefined) webhook.comment = comment;
    const disable = optBool(request, 'disable');
    if (disable !== undefined) {
      if (disable) webhook.disable = true;
      else delete webhook.disable;
    }
    return null;
  });

  registry.on('GET', '/cluster/notifications/matchers', () =>
    [...config.matchers.values()].map(renderMatcher),
  );

  registry.on('GET', '/cluster/notifications/matchers/{name}', (request) => ({
    ...renderMatcher(config.matcher(str(request, 'name'))),
    digest: config.digest(),
  }));

  const directives = (request: SimRequest) => ({
    matchField: list(request, 'match-field')?.map(normalizeFieldMatch),
    matchSeverity: list(request, 'match-severity')?.map(normalizeSeverityMatch),
    matchCalendar: list(request, 'match-calendar'),
  });

  registry.on('POST', '/cluster/notifications/matchers', (request) => {
    writable(cluster);
    const name = str(request, 'name');
    const parsed = directives(request);
    config.ensureUnique(name);
    const target = list(request, 'target') ?? [];
    config.ensureTargetsExist(target);
    const matcher: SimMatcher = {
      name,
      matchField: parsed.matchField ?? [],
      matchSeverity: parsed.matchSeverity ?? [],
      matchCalendar: parsed.matchCalendar ?? [],
      target,
      origin: 'user-created',
    };
    const mode = optStr(request, 'mode');
    if (mode !== undefined) matcher.mode = mode as 'all' | 'any';
    if (optBool(request, 'invert-match')) matcher.invertMatch = true;
    const comment = optStr(request, 'comment');
    if (comment !== undefined) matcher.comment = comment;
    if (optBool(request, 'disable')) matcher.disable = true;
    config.matchers.set(name, matcher);
    return null;
  });

  registry.on('PUT', '/cluster/notifications/matchers/{name}', (request) => {
    writable(cluster);
    config.verifyDigest(optStr(request, 'digest'));
    const matcher = config.matcher(str(request, 'name'));
    const parsed = directives(request);
    const target = list(request, 'target');
    if (target !== undefined) config.ensureTargetsExist(target);
    for (const key of list(request, 'delete') ?? []) {
      if (!MATCHER_DELETABLE.has(key)) throw PveHttpError.die(`unknown property '${key}' in delete`);
      if (key === 'comment') delete matcher.comment;
      else if (key === 'disable') delete matcher.disable;
      else if (key === 'invert-match') delete matcher.invertMatch;
      else if (key === 'match-calendar') matcher.matchCalendar = [];
      else if (key === 'match-field') matcher.matchField = [];
      else if (key === 'match-severity') matcher.matchSeverity = [];
      else if (key === 'mode') delete matcher.mode;
      else matcher.target = [];
    }
    if (parsed.matchField !== undefined) matcher.matchField = parsed.matchField;
    if (parsed.matchSeverity !== undefined) matcher.matchSeverity = parsed.matchSeverity;
    if (parsed.matchCalendar !== undefined) matcher.matchCalendar = parsed.matchCalendar;
    if (target !== undefined) matcher.target = target;
    const mode = optStr(request, 'mode');
    if (mode !== undefined) matcher.mode = mode as 'all' | 'any';
    const invert = optBool(request, 'invert-match');
    if (invert !== undefined) {
      if (invert) matcher.invertMatch = true;
      else delete matcher.invertMatch;
    }
    const comment = optStr(request, 'comment');
    if (comment !== undefined) matcher.comment = comment;
    const disable = optBool(request, 'disable');
    if (disable !== undefined) {
      if (disable) matcher.disable = true;
      else delete matcher.disable;
    }
    if (matcher.origin === 'builtin') matcher.origin = 'modified-builtin';
    return null;
  });

  // api/mod.rs get_targets: by type (gotify, sendmail, smtp, webhook).
  registry.on('GET', '/cluster/notifications/targets', () => [
    { name: MAIL_TO_ROOT.name, origin: 'builtin', type: 'sendmail', comment: MAIL_TO_ROOT.comment },
    ...[...config.webhooks.values()].map((webhook) => ({
      name: webhook.name,
      origin: 'user-created',
      type: 'webhook',
      ...(webhook.comment === undefined ? {} : { comment: webhook.comment }),
      ...(webhook.disable ? { disable: 1 } : {}),
    })),
  ]);

  registry.on('POST', '/cluster/notifications/targets/{name}/test', async (request) => {
    await bus.test(str(request, 'name'), request.servingNode, cluster.now());
    return null;
  });

  registry.on('GET', '/cluster/notifications/matcher-fields', () => [
    { name: 'type' },
    { name: 'hostname' },
    { name: 'job-id' },
  ]);

  // Both simulator tokens hold Sys.Audit on /, so the backup jobs are always listed.
  registry.on('GET', '/cluster/notifications/matcher-field-values', () => [
    ...['package-updates', 'fencing', 'replication', 'vzdump', 'system-mail'].map((value) => ({
      value,
      field: 'type',
    })),
    ...cluster.backupJobs.all().map((job) => ({
      value: job.id,
      comment: typeof job.options.comment === 'string' ? job.options.comment : null,
      field: 'job-id',
    })),
    ...[...cluster.replication.jobs.values()].map((job) => ({
      value: job.id,
      comment: job.comment ?? null,
      field: 'job-id',
    })),
    ...cluster.nodeNames().map((value) => ({ value, field: 'hostname' })),
  ]);
}
