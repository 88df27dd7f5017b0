// Alerts in chat: a job's alert from the outbox drawn as its card (render-alert.ts), and the two
// buttons every card has. Acknowledge (`ack-alert`, value = the alert's key) records who and when
// and redraws the card in every channel it went to; anyone allowed to run `status` there may
// acknowledge (it changes nothing on the cluster). Snooze 4h (`snooze-alert`, value = the type)
// holds back new alerts of that type for four hours (updates of cards already posted still come);
// it silences people, so it is judged like a disruptive command under the policy entry `alerts`
// (or `*`): without one, nobody may snooze. The card's other buttons are run-command offers,
// handled by the command stage like typed commands.
import { ALERT_TYPES, type AlertType } from '../../jobs/alerts/alert.js';
import type { AlertEvent, ThreadRef } from '../../jobs/job-events.js';
import type { ButtonPress } from '../core-api.js';
import { mayRun } from '../policy/index.js';
import type { AlertsPort } from '../ports.js';
import { renderAlert, SNOOZE_MS, utcTime } from '../render-alert.js';
import type { CoreServices } from './core-services.js';

/** The policy entry Snooze is judged under. */
export const ALERTS_POLICY_ENTRY = 'alerts';
/** Acknowledge is allowed to whoever may run this (read) command in the channel. */
export const ACK_POLICY_COMMAND = 'status';

export class AlertCardStage {
  readonly #s: CoreServices;

  constructor(services: CoreServices) {
    this.#s = services;
  }

  get #alerts(): AlertsPort | undefined {
    return this.#s.options.alerts;
  }

  /** An alert from the outbox: its card, with who acknowledged it and the snooze of its type. */
  async show(thread: ThreadRef, event: AlertEvent): Promise<void> {
    const { alert } = event;
    const [ack, snooze] = await Promise.all([
      this.#alerts?.ackOf(alert.key),
      this.#alerts?.snoozeOf(alert.type, this.#s.now()),
    ]);
    await this.#s.options.sink.send(renderAlert(thread, alert, { ack, snooze }));
  }

  async acknowledge(press: ButtonPress): Promise<void> {
    const s = this.#s;
    const alerts = this.#alerts;
    if (!alerts) return this.#notSetUp(press);
    const allowed = mayRun(s.policy, press.user, ACK_POLICY_COMMAND, press.channel, 'read');
    if (!allowed.ok) {
      await s.tell(press.thread, press.user, {
        title: 'You may not acknowledge alerts here',
        status: 'denied',
        text: `Acknowledging needs what \`status\` needs: ${allowed.reason}.`,
      });
      return;
    }
    const key = press.value;
    const stored = await alerts.get(key);
    if (!stored) {
      await s.tell(press.thread, press.user, {
        title: 'This alert is no longer known',
        status: 'failed',
        text: 'Alerts are kept 14 days; this one has expired, so there is nothing left to acknowledge.',
      });
      return;
    }
    const { ack, first } = await alerts.acknowledge(key, press.user, s.now());
    if (!first) {
      await s.tell(press.thread, press.user, {
        title: 'Already acknowledged',
        status: 'info',
        text: `${ack.by} acknowledged it at ${utcTime(ack.at)}.`,
      });
      return;
    }
    await s.audit(
      press.user,
      'ack-alert',
      ALERTS_POLICY_ENTRY,
      `acknowledged ${stored.alert.title} (${key})`,
    );
    const snooze = await alerts.snoozeOf(stored.alert.type, s.now());
    await this.#redraw(stored.threads, (thread) => renderAlert(thread, stored.alert, { ack, snooze }));
  }

  async snooze(press: ButtonPress): Promise<void> {
    const s = this.#s;
    const alerts = this.#alerts;
    if (!alerts) return this.#notSetUp(press);
    const type = press.value as AlertType;
    if (!ALERT_TYPES.includes(type)) {
      await s.tell(press.thread, press.user, { title: `No alert type '${press.value}'`, status: 'failed' });
      return;
    }
    const allowed = mayRun(s.policy, press.user, ALERTS_POLICY_ENTRY, press.channel, 'disruptive');
    if (!allowed.ok) {
      await s.tell(press.thread, press.user, {
        title: `You may not snooze ${type} alerts`,
        status: 'denied',
        text: `Snoozing silences alerts for everyone, so the policy's '${ALERTS_POLICY_ENTRY}' entry (or '*') must name you: ${allowed.reason}.`,
      });
      return;
    }
    const now = s.now();
    const until = now + SNOOZE_MS;
    await alerts.snooze(type, until, press.user, now);
    await s.audit(
      press.user,
      'snooze-alert',
      ALERTS_POLICY_ENTRY,
      `snoozed ${type} alerts until ${utcTime(until)}`,
    );
    await s.options.sink.send({
      thread: press.thread,
      card: {
        title: `${type} alerts snoozed for 4 hours by ${press.user.name}`,
        status: 'info',
        text: `New ${type} alerts are held back until ${utcTime(until)}; cards already posted are still updated.`,
      },
    });
  }

  /** Redraws a card in each channel it went to; a channel this process cannot reach is skipped. */
  async #redraw(
    threads: ThreadRef[],
    render: (thread: ThreadRef) => ReturnType<typeof renderAlert>,
  ): Promise<void> {
    for (const thread of threads) {
      try {
        await this.#s.options.sink.send(render(thread));
      } catch (error) {
        this.#s.options.logger?.warn(
          { platform: thread.platform, error: error instanceof Error ? error.message : String(error) },
          'cannot redraw an alert card there',
        );
      }
    }
  }

  async #notSetUp(press: ButtonPress): Promise<void> {
    await this.#s.tell(press.thread, press.user, {
      title: 'Alerts are not set up in this bot',
      status: 'failed',
      text: 'It was started without the alert store, so the click changed nothing.',
    });
  }
}
