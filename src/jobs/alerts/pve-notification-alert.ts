// A PVE notification (the body our webhook template renders) as an alert: its type from
// `fields.type`, PVE's severity, the title without the trailing space PVE's subject templates
// leave, the essential fields read from the message (PVE puts the failed guests, the replication
// target and the package list only in the text), the message itself on the card when short and
// as an attached file when long, and the commands worth offering:
//   vzdump, failed    Retry backup (`backup <failed vmids>`, on the job's storage) and Show log
//                     (`tasks <node> --failed`); a job-level failure that names no guest: Show log only
//   replication       Run now (`replication run <job-id>`)
//   package-updates   Plan upgrade (`upgrade <node>`: the rolling upgrade's plan, for approval)
// Each is a run-command button: pressing it goes through the grammar, the policy and any approval
// exactly as typing it would. The message texts are PVE's templates (pve-manager
// templates/default/*.txt.hbs, pve-ha-manager src/templates/default/fencing-*.txt.hbs).
import type { PveNotificationBody } from '../../proxmox/notification-template.js';
import { ALERT_TYPES, type AlertInput, type AlertType } from './alert.js';

/** A message longer than this, or with more lines, goes into a file instead of onto the card. */
export const CARD_TEXT_MAX_CHARS = 1500;
export const CARD_TEXT_MAX_LINES = 15;

/** PVE's notification types (the `type` field); anything else is `other` (the Test button sends none). */
const PVE_TYPES: readonly AlertType[] = [
  'vzdump',
  'replication',
  'fencing',
  'package-updates',
  'system-mail',
];

const NODE_NAME = /^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/;
const STORAGE_ID = /^[a-zA-Z][a-zA-Z0-9\-_.]*$/;
const REPLICATION_JOB = /^\d+-\d+$/;

export function alertTypeOf(body: PveNotificationBody): AlertType {
  const type = body.fields.type as AlertType | undefined;
  return type !== undefined && PVE_TYPES.includes(type) && ALERT_TYPES.includes(type) ? type : 'other';
}

/** A vzdump message's guests: each row of its Details table, and the reason of each failure. */
export interface VzdumpGuests {
  rows: Array<{ vmid: number; name: string; status: string }>;
  /** vmid → PVE's words (`VM is locked (snapshot)`), from the `ERROR: Backup of VM <id> failed - …` lines. */
  reasons: Map<number, string>;
  /** The failed guests, in order: the table's `err` rows and the guests an ERROR line names. */
  failed: number[];
  /** `--storage` of the vzdump command line in the Logs section. */
  storage?: string;
}

export function parseVzdumpMessage(message: string): VzdumpGuests {
  const lines = message.split('\n');
  const rows: VzdumpGuests['rows'] = [];
  const details = lines.findIndex(
    (line, i) => line.trim() === 'Details' && /^=+\s*$/.test(lines[i + 1] ?? ''),
  );
  if (details >= 0) {
    for (const line of lines.slice(details + 3)) {
      if (line.trim() === '') break;
      const [vmid, name, status] = line.trim().split(/\s+/);
      if (vmid && /^\d+$/.test(vmid) && name && status) rows.push({ vmid: Number(vmid), name, status });
    }
  }
  const reasons = new Map<number, string>();
  for (const match of message.matchAll(/ERROR: Backup of VM (\d+) failed(?: - (.*))?$/gm)) {
    const vmid = Number(match[1]);
    if (!reasons.has(vmid)) reasons.set(vmid, (match[2] ?? '').trim());
  }
  const failed = [
    ...new Set([...rows.filter((r) => r.status === 'err').map((r) => r.vmid), ...reasons.keys()]),
  ];
  const command = lines.find((line) => /^vzdump\s/.test(line));
  const storage = command ? /\s--storage\s+'?([^\s']+)'?/.exec(command)?.[1] : undefined;
  return { rows, reasons, failed, ...(storage && STORAGE_ID.test(storage) ? { storage } : {}) };
}

/** What a replication failure's message says: its target node, fail count and PVE's error. */
export function parseReplicationMessage(message: string): {
  target?: string;
  failures?: string;
  error?: string;
} {
  const target = /with target '([^']+)'/.exec(message)?.[1];
  const failures = /^Failure count: (\d+)/m.exec(message)?.[1];
  const error = /^Error:\n([\s\S]*)$/m.exec(message)?.[1]?.trim();
  return {
    ...(target ? { target } : {}),
    ...(failures ? { failures } : {}),
    ...(error ? { error: error.split('\n')[0]! } : {}),
  };
}

/** The package-updates table's rows (Package Name / Installed Version / Available Version). */
export function parsePackageUpdates(message: string): string[] {
  const lines = message.split('\n');
  const header = lines.findIndex((line) => line.startsWith('Package Name'));
  if (header < 0) return [];
  const packages: string[] = [];
  for (const line of lines.slice(header + 1)) {
    if (line.trim() === '') break;
    const name = line.trim().split(/\s+/)[0];
    if (name) packages.push(name);
  }
  return packages;
}

export interface NotificationAlertOptions {
  /**
   * The key of an incident this notification continues (the second notification of one fencing),
   * when the kind remembers one; otherwise a new key is made.
   */
  continues?: string | undefined;
}

/** The key a notification's card gets when it continues nothing. */
export function notificationKey(body: PveNotificationBody): string {
  const type = alertTypeOf(body);
  const host = body.fields.hostname ?? 'cluster';
  return `pve:${type}:${host}:${body.timestamp}`.slice(0, 200);
}

export function alertOfNotification(
  body: PveNotificationBody,
  options: NotificationAlertOptions = {},
): AlertInput {
  const type = alertTypeOf(body);
  const node = body.fields.hostname;
  const jobId = body.fields['job-id'];
  const message = body.message
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .replace(/^\n+/, '')
    .trimEnd();
  const fields: Array<{ label: string; value: string }> = [];
  if (node) fields.push({ label: type === 'fencing' ? 'Fenced node' : 'Node', value: node });
  if (jobId) fields.push({ label: 'Job', value: jobId });
  const offers: Array<{ label: string; command: string }> = [];
  let summary: string | undefined;
  const safeNode = node !== undefined && NODE_NAME.test(node) ? node : undefined;

  if (type === 'vzdump') {
    const guests = parseVzdumpMessage(message);
    const names = new Map(guests.rows.map((r) => [r.vmid, r.name]));
    const label = (vmid: number) => (names.has(vmid) ? `${names.get(vmid)} (${vmid})` : String(vmid));
    if (guests.failed.length > 0)
      fields.push({ label: 'Failed', value: guests.failed.map(label).join(', ') });
    const ok = guests.rows.filter((r) => r.status === 'ok');
    if (ok.length > 0) fields.push({ label: 'Backed up', value: ok.map((r) => label(r.vmid)).join(', ') });
    if (body.severity === 'error') {
      summary = guests.failed
        .map((vmid) => `${label(vmid)}: ${guests.reasons.get(vmid) || 'failed'}`)
        .join('\n');
      if (guests.failed.length > 0) {
        const storage = guests.storage ? ` --storage ${guests.storage}` : '';
        offers.push({ label: 'Retry backup', command: `backup ${guests.failed.join(',')}${storage}` });
      }
      if (safeNode) offers.push({ label: 'Show log', command: `tasks ${safeNode} --failed` });
    }
  } else if (type === 'replication') {
    const replication = parseReplicationMessage(message);
    if (replication.target) fields.push({ label: 'Target', value: replication.target });
    if (replication.failures) fields.push({ label: 'Failures', value: replication.failures });
    if (replication.error) fields.push({ label: 'Error', value: replication.error });
    if (body.severity === 'error' && jobId && REPLICATION_JOB.test(jobId))
      offers.push({ label: 'Run now', command: `replication run ${jobId}` });
  } else if (type === 'package-updates') {
    const packages = parsePackageUpdates(message);
    if (packages.length > 0) {
      const shown = packages.slice(0, 8).join(', ');
      fields.push({
        label: 'Packages',
        value: packages.length > 8 ? `${shown} and ${packages.length - 8} more` : shown,
      });
    }
    if (safeNode) offers.push({ label: 'Plan upgrade', command: `upgrade ${safeNode}` });
  }

  const long = message.length > CARD_TEXT_MAX_CHARS || message.split('\n').length > CARD_TEXT_MAX_LINES;
  const at = body.timestamp * 1000;
  const stamp = new Date(at).toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
  const text = long ? summary || firstLines(message, 5) : message;
  return {
    key: options.continues ?? notificationKey(body),
    source: 'pve',
    type,
    severity: body.severity,
    title: body.title.trim() || `${type} notification`,
    ...(text ? { text } : {}),
    fields,
    ...(long ? { log: { name: `${type}-${node ?? 'cluster'}-${stamp}.txt`, text: body.message } } : {}),
    state: 'event',
    offers,
    at,
  };
}

function firstLines(text: string, n: number): string {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  return lines.length > n ? `${lines.slice(0, n).join('\n')}\n…` : lines.join('\n');
}
