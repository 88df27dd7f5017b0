// The cluster's notification configuration (/etc/pve/notifications.cfg and the root-only
// priv/notifications.cfg) as proxmox-notify's API keeps it: webhook targets, matchers, the
// built-in sendmail target `mail-to-root` and `default-matcher` (context/pve.rs DEFAULT_CONFIG),
// one namespace for all of them. Errors are proxmox-notify's HttpErrors, which PVE answers with
// their own status and text (api/mod.rs, api/webhook.rs, api/matcher.rs).
import { createHash } from 'node:crypto';
import { PveHttpError } from '../pve-http-error.js';

export interface SimWebhookTarget {
  name: string;
  url: string;
  method: 'post' | 'put' | 'get';
  /** Property strings as stored: `name=<n>,value=<base64>`. */
  header: string[];
  /** base64 of the body template. */
  body?: string;
  comment?: string;
  disable?: boolean;
  /** Secret name → value in clear (the private file). */
  secrets: Map<string, string>;
}

export interface SimMatcher {
  name: string;
  matchField: string[];
  matchSeverity: string[];
  matchCalendar: string[];
  mode?: 'all' | 'any';
  invertMatch?: boolean;
  target: string[];
  comment?: string;
  disable?: boolean;
  origin: 'builtin' | 'user-created' | 'modified-builtin';
}

export const MAIL_TO_ROOT = {
  name: 'mail-to-root',
  comment: "Send mails to root@pam's email address",
} as const;

const SEVERITIES = ['info', 'notice', 'warning', 'error', 'unknown'];

/** `name=<n>[,value=<v>]` → its parts (perlmod refuses anything else: a plain 500). */
export function parseNamedValue(item: string, what: string): { name: string; value?: string } {
  const parts = new Map<string, string>();
  for (const part of item.split(',')) {
    const at = part.indexOf('=');
    if (at < 0) throw PveHttpError.die(`failed to parse ${what} '${item}'`);
    parts.set(part.slice(0, at), part.slice(at + 1));
  }
  const name = parts.get('name');
  if (!name || [...parts.keys()].some((key) => key !== 'name' && key !== 'value'))
    throw PveHttpError.die(`failed to parse ${what} '${item}'`);
  const value = parts.get('value');
  return value === undefined ? { name } : { name, value };
}

function isBase64(text: string): boolean {
  return /^[A-Za-z0-9+/]*={0,2}$/.test(text) && text.length % 4 === 0;
}

export function decodeBase64(text: string): string {
  return Buffer.from(text, 'base64').toString('utf8');
}

/** matcher.rs FieldMatcher FromStr + Display: `exact:<field>=<v1>,<v2>` (values trimmed) or `regex:<field>=<re>`. */
export function normalizeFieldMatch(item: string): string {
  const exact = /^exact:([A-Za-z][A-Za-z0-9_-]*)=(.*)$/s.exec(item);
  if (exact) {
    const values = (exact[2] ?? '').split(',').map((value) => value.trim());
    return `exact:${exact[1]}=${values.join(',')}`;
  }
  const regex = /^regex:([A-Za-z][A-Za-z0-9_-]*)=(.*)$/s.exec(item);
  if (regex) {
    try {
      new RegExp(regex[2] ?? '');
    } catch {
      throw PveHttpError.die(`could not compile regex '${regex[2]}'`);
    }
    return item;
  }
  throw PveHttpError.die(`invalid match-field statement: ${item}`);
}

/** matcher.rs SeverityMatcher: a comma list of severities, re-serialized joined by `,`. */
export function normalizeSeverityMatch(item: string): string {
  const list = item.split(',').map((severity) => severity.trim());
  for (const severity of list)
    if (!SEVERITIES.includes(severity)) throw PveHttpError.die(`invalid severity ${severity}`);
  return list.join(',');
}

export class NotificationConfig {
  readonly webhooks = new Map<string, SimWebhookTarget>();
  readonly matchers = new Map<string, SimMatcher>();

  constructor() {
    this.matchers.set('default-matcher', {
      name: 'default-matcher',
      matchField: [],
      matchSeverity: [],
      matchCalendar: [],
      mode: 'all',
      target: [MAIL_TO_ROOT.name],
      comment: 'Route all notifications to mail-to-root',
      origin: 'builtin',
    });
  }

  /** The public notifications.cfg's SHA-256 (secrets are in the private file: not in it). */
  digest(): string {
    const sections: string[] = [];
    for (const m of this.matchers.values()) {
      sections.push(
        [
          `matcher: ${m.name}`,
          ...m.matchField.map((v) => `\tmatch-field ${v}`),
          ...m.matchSeverity.map((v) => `\tmatch-severity ${v}`),
          ...m.matchCalendar.map((v) => `\tmatch-calendar ${v}`),
          m.mode ? `\tmode ${m.mode}` : '',
          m.invertMatch ? '\tinvert-match 1' : '',
          ...m.target.map((v) => `\ttarget ${v}`),
          m.comment ? `\tcomment ${m.comment}` : '',
          m.disable ? '\tdisable 1' : '',
        ]
          .filter(Boolean)
          .join('\n'),
      );
    }
    for (const w of this.webhooks.values()) {
      sections.push(
        [
          `webhook: ${w.name}`,
          `\turl ${w.url}`,
          `\tmethod ${w.method}`,
          ...w.header.map((v) => `\theader ${v}`),
          w.body ? `\tbody ${w.body}` : '',
          ...[...w.secrets.keys()].map((v) => `\tsecret name=${v}`),
          w.comment ? `\tcomment ${w.comment}` : '',
          w.disable ? '\tdisable 1' : '',
        ]
          .filter(Boolean)
          .join('\n'),
      );
    }
    return createHash('sha256')
      .update(`${sections.join('\n\n')}\n`)
      .digest('hex');
  }

  /** api/mod.rs verify_digest. */
  verifyDigest(digest: string | undefined): void {
    if (digest === undefined) return;
    if (!/^[0-9a-fA-F]*$/.test(digest) || digest.length % 2 !== 0)
      throw new PveHttpError(400, 'invalid digest: Invalid character');
    if (digest.toLowerCase() !== this.digest())
      throw new PveHttpError(400, 'detected modified configuration - file changed by other user? Try again.');
  }

  /** api/mod.rs ensure_unique: every endpoint and matcher shares one namespace. */
  ensureUnique(name: string): void {
    if (this.targetExists(name) || this.matchers.has(name))
      throw new PveHttpError(400, `Cannot create '${name}', an entity with the same name already exists`);
  }

  targetExists(name: string): boolean {
    return name === MAIL_TO_ROOT.name || this.webhooks.has(name);
  }

  /** api/mod.rs ensure_endpoints_exist. */
  ensureTargetsExist(names: string[]): void {
    for (const name of names)
      if (!this.targetExists(name)) throw new PveHttpError(404, `endpoint '${name}' does not exist`);
  }

  webhook(name: string): SimWebhookTarget {
    const webhook = this.webhooks.get(name);
    if (!webhook) throw new PveHttpError(404, `endpoint '${name}' not found`);
    return webhook;
  }

  matcher(name: string): SimMatcher {
    const matcher = this.matchers.get(name);
    if (!matcher) throw new PveHttpError(404, `matcher '${name}' not found`);
    return matcher;
  }

  /** api/webhook.rs update_endpoint's checks of the headers (create stores them unchecked). */
  static checkHeaders(header: string[]): void {
    for (const item of header) {
      const { name, value } = parseNamedValue(item, 'header');
      if (!value) throw new PveHttpError(400, `header '${name}' has empty value`);
      if (!isBase64(value))
        throw new PveHttpError(400, `header '${name}' does not have valid base64 encoded data`);
    }
  }

  /**
   * api/webhook.rs update_endpoint's secrets: a value sets it, a name alone keeps the stored one,
   * unlisted ones are dropped.
   */
  static mergeSecrets(stored: Map<string, string>, items: string[]): Map<string, string> {
    const next = new Map<string, string>();
    for (const item of items) {
      const { name, value } = parseNamedValue(item, 'secret');
      if (next.has(name)) throw new PveHttpError(400, `secret '${name}' defined multiple times`);
      if (value === undefined) {
        const old = stored.get(name);
        if (old === undefined) throw new PveHttpError(400, `secret '${name}' not known`);
        next.set(name, old);
      } else {
        if (!isBase64(value))
          throw new PveHttpError(400, `secret '${name}' does not have valid base64 encoded data`);
        next.set(name, decodeBase64(value));
      }
    }
    return next;
  }
}
