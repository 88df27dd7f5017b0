// PVE's notification bus as the simulator runs it (proxmox-notify lib.rs Bus::send, test_target;
// endpoints/webhook.rs send): a notification is checked against every matcher, and each webhook
// target any matching matcher names (a set: once per target) gets ONE HTTP request with its URL,
// headers and body rendered (webhook-template.ts). No retry, no queue: a failure (refused,
// 4xx/5xx, no answer within 10 s) is only logged and the notification is lost for that target.
// The simulator sends only to loopback addresses (127.0.0.0/8, ::1, localhost): a target
// elsewhere fails like an unreachable one, so a simulator never sends off the machine.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { PveHttpError } from '../pve-http-error.js';
import {
  decodeBase64,
  NotificationConfig,
  parseNamedValue,
  type SimMatcher,
  type SimWebhookTarget,
} from './notification-config.js';
import { renderWebhookTemplate } from './webhook-template.js';

export type SimSeverity = 'info' | 'notice' | 'warning' | 'error' | 'unknown';

export interface SimNotification {
  severity: SimSeverity;
  /** The rendered subject, newlines replaced by spaces (vendor subjects end in a space). */
  title: string;
  message: string;
  /** Metadata: `type`, `hostname`, `job-id`; `{}` for the test notification. */
  fields: Record<string, string>;
  /** UNIX seconds when the notification was created. */
  timestamp: number;
  /** The node that sends it. */
  sender: string;
}

/** One HTTP request a webhook target sent (or tried to), for tests and the simulator's log. */
export interface SimDelivery {
  target: string;
  notification: SimNotification;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  /** The receiver answered 2xx. */
  ok: boolean;
  status?: number;
  /** Why it failed, as PVE logs it after `could not notify via target`. */
  error?: string;
}

/** proxmox-notify webhook.rs HTTP_TIMEOUT: the whole request. */
export const WEBHOOK_TIMEOUT_MS = 10_000;

function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  return bare === '::1';
}

/** MatcherConfig::matches: `mode` combines the directives and the items inside each of them. */
export function matcherMatches(matcher: SimMatcher, notification: SimNotification): boolean {
  const all = (matcher.mode ?? 'all') === 'all';
  const combine = (results: boolean[]): boolean => (all ? results.every(Boolean) : results.some(Boolean));
  const directives: boolean[][] = [];
  if (matcher.matchSeverity.length > 0)
    directives.push(matcher.matchSeverity.map((item) => item.split(',').includes(notification.severity)));
  if (matcher.matchField.length > 0)
    directives.push(matcher.matchField.map((item) => fieldMatches(item, notification.fields)));
  // Calendar matching is not simulated: a match-calendar item always matches.
  if (matcher.matchCalendar.length > 0) directives.push(matcher.matchCalendar.map(() => true));
  if (directives.length === 0) return true;
  const isMatch = combine(directives.map(combine));
  return isMatch !== (matcher.invertMatch ?? false);
}

function fieldMatches(item: string, fields: Record<string, string>): boolean {
  const at = item.indexOf('=');
  const [kind, field] = item.slice(0, at).split(':');
  const value = fields[field ?? ''];
  if (value === undefined) return false;
  const pattern = item.slice(at + 1);
  if (kind === 'exact') return pattern.split(',').includes(value);
  return new RegExp(pattern).test(value);
}

export class SimNotifications {
  readonly config = new NotificationConfig();
  /** Every request the webhook targets sent, oldest first. */
  readonly deliveries: SimDelivery[] = [];
  private readonly listeners: Array<(delivery: SimDelivery) => void> = [];
  private readonly userAgent: string;
  /** Fencing and the other events are sent in the background: their sends, for tests to await. */
  private readonly pending = new Set<Promise<unknown>>();

  constructor(options: { httpClientVersion: string }) {
    this.userAgent = `proxmox-sync-http-client/${options.httpClientVersion}`;
  }

  /** Called after each delivery attempt (success or failure). */
  onDelivery(listener: (delivery: SimDelivery) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const at = this.listeners.indexOf(listener);
      if (at >= 0) this.listeners.splice(at, 1);
    };
  }

  /** The targets a notification goes to: those of every enabled matcher that matches. */
  targetsFor(notification: SimNotification): string[] {
    const targets = new Set<string>();
    for (const matcher of this.config.matchers.values()) {
      if (matcher.disable) continue;
      if (matcherMatches(matcher, notification)) for (const target of matcher.target) targets.add(target);
    }
    return [...targets];
  }

  /**
   * Bus::send: one attempt per matched, enabled webhook target (sendmail targets are not
   * simulated). Resolves with the deliveries once every request has ended; never rejects.
   */
  send(notification: SimNotification): Promise<SimDelivery[]> {
    const webhooks = this.targetsFor(notification)
      .map((name) => this.config.webhooks.get(name))
      .filter((webhook): webhook is SimWebhookTarget => webhook !== undefined && !webhook.disable);
    const sending = Promise.all(webhooks.map((webhook) => this.deliver(webhook, notification)));
    this.pending.add(sending);
    void sending.finally(() => this.pending.delete(sending));
    return sending;
  }

  /** Waits for every send under way (for tests and a clean stop). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /**
   * POST …/targets/{name}/test: PVE's test notification to that target alone, bypassing matchers
   * and `disable`; a failed request is the API call's 500.
   */
  async test(name: string, sender: string, now: number): Promise<void> {
    if (!this.config.targetExists(name)) throw new PveHttpError(404, `endpoint '${name}' does not exist`);
    const webhook = this.config.webhooks.get(name);
    if (!webhook) return; // mail-to-root: sendmail is not simulated.
    const delivery = await this.deliver(webhook, {
      severity: 'info',
      title: 'Test notification ',
      message: `This is a test of the notification target '${name}'.\n`,
      fields: {},
      timestamp: Math.floor(now / 1000),
      sender,
    });
    if (!delivery.ok) throw PveHttpError.die(`Could not test target: ${delivery.error ?? 'unknown error'}`);
  }

  private async deliver(webhook: SimWebhookTarget, notification: SimNotification): Promise<SimDelivery> {
    const secrets = Object.fromEntries(webhook.secrets);
    const data = {
      title: notification.title,
      message: notification.message,
      severity: notification.severity,
      timestamp: notification.timestamp,
      fields: notification.fields,
      secrets,
    };
    const delivery: SimDelivery = {
      target: webhook.name,
      notification,
      method: webhook.method.toUpperCase(),
      url: webhook.url,
      headers: {},
      body: '',
      ok: false,
    };
    try {
      delivery.url = renderWebhookTemplate(webhook.url, data);
      for (const item of webhook.header) {
        const { name, value } = parseNamedValue(item, 'header');
        delivery.headers[name] = renderWebhookTemplate(decodeBase64(value ?? ''), data);
      }
      delivery.body =
        webhook.body === undefined ? '' : renderWebhookTemplate(decodeBase64(webhook.body), data);
      if (!(delivery.method === 'GET' && delivery.body === ''))
        delivery.headers['Content-Length'] = String(Buffer.byteLength(delivery.body));
      delivery.headers['User-Agent'] = this.userAgent;
      delivery.status = await send(delivery);
      delivery.ok = delivery.status >= 200 && delivery.status < 300;
      if (!delivery.ok) delivery.error = `http status: ${delivery.status}`;
    } catch (error) {
      // Secrets are masked in what PVE logs and answers.
      let text = error instanceof Error ? error.message : String(error);
      for (const secret of Object.values(secrets)) if (secret) text = text.replaceAll(secret, '<masked>');
      delivery.error = text;
    }
    this.deliveries.push(delivery);
    for (const listener of [...this.listeners]) listener(delivery);
    return delivery;
  }
}

/** One HTTP(S) request, 10 s for all of it; resolves with the status. */
function send(delivery: SimDelivery): Promise<number> {
  let url: URL;
  try {
    url = new URL(delivery.url);
  } catch {
    return Promise.reject(new Error(`invalid URL '${delivery.url}'`));
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return Promise.reject(new Error(`unsupported scheme '${url.protocol}'`));
  if (!isLoopback(url.hostname))
    return Promise.reject(
      new Error(`the simulator sends only to loopback addresses, not to '${url.hostname}'`),
    );
  return new Promise((resolve, reject) => {
    const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, {
      method: delivery.method,
      headers: delivery.headers,
    });
    const timer = setTimeout(() => request.destroy(new Error('timeout: global')), WEBHOOK_TIMEOUT_MS);
    request.on('response', (response) => {
      response.resume();
      response.on('end', () => {
        clearTimeout(timer);
        resolve(response.statusCode ?? 0);
      });
      response.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    request.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    request.end(delivery.body);
  });
}
