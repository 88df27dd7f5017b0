// How a job's alert reaches the chat (ctx.alert()): validated, remembered in the AlertStore, and
// published to the job's threads (the alert channels) as an `alert` outbox event. An update of an
// alert already shown (same key: resolved, a second fencing notification) always goes through and
// redraws its card. A new key is held back while its type is snoozed, and beyond
// ALERTS_PER_MINUTE new cards of one type in a minute the rest are only counted, into one
// "N more <type> alerts" card per type and minute, itself edited in place. One deployment (its
// REDIS_PREFIX) watches one cluster, so the limit is per cluster.
import type { AlertEvent, ThreadRef } from '../job-events.js';
import { type Alert, type AlertInput, alertSchema } from './alert.js';
import { type AlertRoute, routeAlert } from './alert-routes.js';
import type { AlertStore } from './alert-store.js';

/** New cards of one type per minute; the rest are counted into one card. */
export const ALERTS_PER_MINUTE = 10;

export type AlertOutcome = 'shown' | 'updated' | 'snoozed' | 'held-back' | 'not-shown';

export interface AlertSource {
  jobId: string;
  kind: string;
  /** The job's threads: its thread and copies (the alert channels). */
  threads: ThreadRef[];
}

export interface AlertPublisherOptions {
  store: AlertStore;
  publish(thread: ThreadRef, event: AlertEvent): Promise<unknown>;
  perMinute?: number;
  clock?: () => number;
  /** ALERT_ROUTES: where a new alert goes by type and severity (the job's threads otherwise). */
  routes?: readonly AlertRoute[];
}

export class AlertPublisher {
  readonly #o: AlertPublisherOptions;

  constructor(options: AlertPublisherOptions) {
    this.#o = options;
  }

  async publish(source: AlertSource, input: AlertInput): Promise<AlertOutcome> {
    const alert = alertSchema.parse(input);
    const { store } = this.#o;
    const now = (this.#o.clock ?? Date.now)();
    const known = await store.get(alert.key);
    if (known) {
      // The same incident again: its card (if one was posted) shows the newest word.
      await store.save({ ...known, alert });
      if (!known.shown) return 'not-shown';
      await this.#send(source, known.threads, alert, now);
      return 'updated';
    }
    // A new incident goes where the routes send it; its updates follow the card (known.threads).
    const threads = routeAlert(alert, this.#o.routes ?? [], source.threads);
    if (await store.snoozeOf(alert.type, now)) {
      await store.save({ alert, threads, shown: false });
      return 'snoozed';
    }
    const minute = Math.floor(now / 60_000) * 60_000;
    const count = await store.countNew(alert.type, minute);
    if (count > (this.#o.perMinute ?? ALERTS_PER_MINUTE)) {
      await store.save({ alert, threads, shown: false });
      const held = await store.countHeldBack(alert.type, minute);
      const summary = heldBackAlert(alert, held, minute, this.#o.perMinute ?? ALERTS_PER_MINUTE);
      await store.save({ alert: summary, threads, shown: true });
      await this.#send(source, threads, summary, now);
      return 'held-back';
    }
    await store.save({ alert, threads, shown: true });
    await this.#send(source, threads, alert, now);
    return 'shown';
  }

  async #send(source: AlertSource, threads: ThreadRef[], alert: Alert, now: number): Promise<void> {
    const event: AlertEvent = { type: 'alert', jobId: source.jobId, kind: source.kind, alert, at: now };
    for (const thread of threads) await this.#o.publish(thread, event);
  }
}

/** The card that counts the alerts of a type held back in one minute. */
function heldBackAlert(latest: Alert, count: number, minute: number, limit: number): Alert {
  const from = new Date(minute).toISOString().slice(11, 16);
  return alertSchema.parse({
    key: `held-back:${latest.type}:${minute}`,
    source: latest.source,
    type: latest.type,
    severity: latest.severity,
    title: `${count} more ${latest.type} alert${count === 1 ? '' : 's'}`,
    text:
      `More than ${limit} new ${latest.type} alerts came in the minute from ${from} UTC; ` +
      `the rest are counted here, not posted one by one. The latest: ${latest.title}`,
    state: 'event',
    at: latest.at,
  } satisfies AlertInput);
}
