// What a job's progress and result look like in chat, for every platform (adapters only choose
// the markup). Progress is one message per job, edited in place; the result is a new reply so
// people are notified, and the progress message shows the final state.
import {
  type JobEvent,
  OFFER_COMMAND_MAX,
  type Offer,
  type ProgressEvent,
  type ResultEvent,
  type ThreadRef,
} from '../jobs/job-events.js';
import { jobKinds } from '../jobs/kinds/index.js';
import type { Card, CardButton, CardStatus, OutgoingMessage } from './message.js';

/** The buttons of a job that stops only between its steps (a rolling upgrade). */
const CONTROL_BUTTONS: Record<'pause' | 'resume' | 'abort', (jobId: string) => CardButton> = {
  pause: (value) => ({ action: 'pause-job', label: 'Pause', value }),
  resume: (value) => ({ action: 'resume-job', label: 'Resume', value, style: 'primary' }),
  abort: (value) => ({ action: 'abort-job', label: 'Abort', value, style: 'danger' }),
};

/** A result with nothing to say (a watch that saw nothing happen, `details.silent`): no message. */
export function isSilentResult(event: JobEvent): boolean {
  return event.type === 'result' && event.ok && event.details?.silent === true;
}

export function progressKey(jobId: string): string {
  return `job:${jobId}`;
}

/** The action of an offer's button: its value is the command, run as if the presser typed it. */
export const RUN_COMMAND_ACTION = 'run-command';

/**
 * A result's or an alert's offers (a snapshot's "Roll back") as buttons; one whose command is too
 * long for a button is given as the line to type instead.
 */
export function renderOffers(offers: readonly Offer[] | undefined): {
  buttons: CardButton[];
  lines: string[];
} {
  const buttons: CardButton[] = [];
  const lines: string[] = [];
  for (const offer of offers ?? []) {
    if (offer.command.length <= OFFER_COMMAND_MAX)
      buttons.push({ action: RUN_COMMAND_ACTION, label: offer.label, value: offer.command });
    else lines.push(`${offer.label}: \`/pve ${offer.command}\``);
  }
  return { buttons, lines };
}

/** A job's progress or result (alerts are drawn by render-alert.ts). */
export function renderJobEvent(thread: ThreadRef, event: ProgressEvent | ResultEvent): OutgoingMessage[] {
  if (isSilentResult(event)) return [];
  const key = progressKey(event.jobId);
  if (event.type === 'progress') {
    const card: Card = {
      title: `${event.kind} · job ${event.jobId}`,
      status: 'running',
      progress: { phase: event.phase, ...(event.percent === undefined ? {} : { percent: event.percent }) },
      ...(event.logLines.length > 0 ? { logLines: event.logLines } : {}),
      ...(event.upid ? { footer: `PVE task ${event.upid}` } : {}),
      buttons: event.controls
        ? event.controls.map((control) => CONTROL_BUTTONS[control](event.jobId))
        : [{ action: 'cancel-job', label: 'Cancel', value: event.jobId, style: 'danger' }],
    };
    return [{ thread, key, card }];
  }
  // A report that found problems (a digest of an unhealthy cluster) succeeded, but says so.
  const status: CardStatus = !event.ok
    ? event.code === 'JOB_CANCELLED'
      ? 'cancelled'
      : 'failed'
    : event.details?.healthy === false
      ? 'warning'
      : 'succeeded';
  const fields = event.ok ? [] : [{ label: 'Error', value: event.error ?? 'unknown error' }];
  if (event.code && !event.ok) fields.push({ label: 'Code', value: event.code });
  // Offered on a failure too: the safety net's "Roll back" matters most when the job failed.
  const offers = renderOffers(event.offers);
  const text = [event.text, ...offers.lines].filter(Boolean).join('\n');
  const result: Card = {
    title: event.summary,
    status,
    ...(text ? { text } : {}),
    fields,
    ...(offers.buttons.length > 0 ? { buttons: offers.buttons } : {}),
    ...(event.logTail && event.logTail.length > 0 && !event.ok ? { logLines: event.logTail.slice(-6) } : {}),
    ...(event.upid
      ? { footer: `job ${event.jobId} · PVE task ${event.upid}` }
      : { footer: `job ${event.jobId}` }),
  };
  const finalProgress: Card = { title: `${event.kind} · job ${event.jobId}`, status, text: event.summary };
  // Kinds that post only their result (the digest: no progress message was shown for them).
  if (jobKinds.get(event.kind)?.resultOnly) return [{ thread, card: result, notify: true }];
  return [
    { thread, key, card: finalProgress },
    { thread, card: result, notify: true },
  ];
}
