// pve-notification: one notification PVE delivered to POST /pve/notifications (queued by the
// receiver, so it is durable from PVE's 200), turned into an alert card in the alert channels
// (alerts/pve-notification-alert.ts). It posts nothing itself but ctx.alert(); its result is
// silent. The two notifications of one fencing ("Trying to fence node02", then "Successfully
// fenced node02", a minute or two apart) share one card: the first remembers its key under the
// fenced node for an hour, and the second updates that card.
import { pveNotificationBodySchema } from '../../proxmox/notification-template.js';
import { alertOfNotification, alertTypeOf, notificationKey } from '../alerts/pve-notification-alert.js';
import { defineJobKind, type JobOutcome } from '../job-kind.js';
import type { KindState } from '../kind-state.js';

/** How long a fencing's first notification waits for its second. */
const FENCING_WINDOW_S = 3600;

export const pveNotificationKind = defineJobKind({
  name: 'pve-notification',
  resultOnly: true,
  // An event to report, not a person waiting: it is shown however late a worker gets to it.
  startDeadline: false,
  payload: pveNotificationBodySchema,
  async run(ctx): Promise<JobOutcome> {
    const body = ctx.payload;
    const type = alertTypeOf(body);
    const continues =
      type === 'fencing' && body.fields.hostname
        ? await ctx.memo('fencing-key', () =>
            fencingKey(ctx.state, body.fields.hostname!, notificationKey(body), isFencingDone(body.title)),
          )
        : undefined;
    const alert = alertOfNotification(body, { continues });
    await ctx.alert(alert);
    return { summary: `PVE notification: ${alert.title}`, details: { silent: true, key: alert.key } };
  },
});

/** The second notification of a fencing: `Successfully fenced node 'node02'`. */
function isFencingDone(title: string): boolean {
  return /^\s*Successfully fenced/.test(title);
}

/**
 * The key of the fencing of `node` under way (its first notification's), else `key`, remembered
 * for the second; the second ends it, so a later fencing of the node gets a card of its own.
 */
async function fencingKey(state: KindState, node: string, key: string, done: boolean): Promise<string> {
  const name = `fencing:${node}`;
  const open = await state.get(name);
  const found = typeof open === 'string' ? open : undefined;
  if (done) await state.set(name, null, 1);
  else if (!found) await state.set(name, key, FENCING_WINDOW_S);
  return found ?? key;
}
