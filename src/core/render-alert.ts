// What an alert looks like in chat (alerts/alert.ts): one card per alert key, edited in place when
// the incident changes (resolved) or someone acts on it (acknowledged). The essential fields are
// on the card; a long text (PVE's full message, a task log) goes with it as a text file, never cut
// into it. Buttons: the alert's offers (Retry backup, Run now, Plan upgrade: run-command, through
// the policy like a typed command), Acknowledge (who and when shown on the card) and Snooze 4h
// (new alerts of that type held back).
import type { Alert } from '../jobs/alerts/alert.js';
import type { AlertAck, AlertSnooze } from '../jobs/alerts/alert-store.js';
import { OFFER_COMMAND_MAX, type ThreadRef } from '../jobs/job-events.js';
import type { Attachment, Card, CardButton, CardStatus, OutgoingMessage } from './message.js';
import { renderOffers } from './render-job-event.js';

export const ACK_ALERT_ACTION = 'ack-alert';
export const SNOOZE_ALERT_ACTION = 'snooze-alert';
/** How long Snooze holds back new alerts of a type. */
export const SNOOZE_MS = 4 * 3_600_000;

/** The message key of an alert's card: one message per alert key, per channel. */
export function alertMessageKey(key: string): string {
  return `alert:${key}`;
}

/** `2026-04-14 21:00:42 UTC` */
export function utcTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

function statusOf(alert: Alert): CardStatus {
  if (alert.state === 'resolved') return 'succeeded';
  switch (alert.severity) {
    case 'error':
      return 'failed';
    case 'warning':
    case 'unknown':
      return 'warning';
    default:
      return 'info';
  }
}

export interface AlertView {
  ack?: AlertAck | undefined;
  snooze?: AlertSnooze | undefined;
}

export function renderAlert(thread: ThreadRef, alert: Alert, view: AlertView = {}): OutgoingMessage {
  const resolved = alert.state === 'resolved';
  const offers = resolved ? { buttons: [], lines: [] } : renderOffers(alert.offers);
  const buttons: CardButton[] = [...offers.buttons];
  // The key and the type travel in the button (Discord's custom_id holds 100 characters).
  if (!view.ack && !resolved && alert.key.length <= OFFER_COMMAND_MAX)
    buttons.push({ action: ACK_ALERT_ACTION, label: 'Acknowledge', value: alert.key, style: 'primary' });
  if (!view.snooze && !resolved)
    buttons.push({ action: SNOOZE_ALERT_ACTION, label: 'Snooze 4h', value: alert.type });
  const text = [
    alert.text,
    ...offers.lines,
    alert.log ? `The full text is attached: ${alert.log.name}.` : undefined,
    resolved ? `Resolved at ${utcTime(alert.at)}.` : undefined,
    view.ack ? `Acknowledged by ${view.ack.by} at ${utcTime(view.ack.at)}.` : undefined,
    view.snooze
      ? `New ${alert.type} alerts snoozed until ${utcTime(view.snooze.until)} by ${view.snooze.by}.`
      : undefined,
  ]
    .filter((line): line is string => Boolean(line))
    .join('\n');
  const card: Card = {
    title: resolved ? `Resolved: ${alert.title}` : alert.title,
    status: statusOf(alert),
    ...(text ? { text } : {}),
    fields: alert.fields,
    ...(buttons.length > 0 ? { buttons } : {}),
    footer: `${alert.source === 'pve' ? 'PVE notification' : 'cluster watch'} · ${alert.type} · ${alert.severity} · ${utcTime(alert.at)}`,
  };
  return {
    thread,
    key: alertMessageKey(alert.key),
    card,
    ...(alert.log ? { attachments: [logAttachment(alert)] } : {}),
  };
}

/** The alert's long text as a file (posted with the card's first version). */
function logAttachment(alert: Alert): Attachment {
  const log = alert.log!;
  return {
    name: log.name,
    contentType: 'text/plain',
    data: new TextEncoder().encode(log.text),
    alt: `The full text of: ${alert.title}`,
  };
}
