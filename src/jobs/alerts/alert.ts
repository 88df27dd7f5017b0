// An alert: something on the cluster that people should see and may act on, as one card per
// incident in the alert channels. Two sources make them: PVE's own notifications, received on
// POST /pve/notifications (a failed backup, a failed replication, fencing, package updates, system
// mail), and the bot's watch of what PVE does not notify (a node offline, quorum lost, an HA
// recovery, a failed task, a storage filling up). Both are jobs, so an alert is durable from the
// moment it is accepted, and both publish through ctx.alert() (JobContext): the outbox carries it
// to the bots, which draw it as one message per `key`, edited in place when the incident changes
// (resolved, acknowledged). Plain JSON, checked with zod wherever it is read back.
import { z } from 'zod';
import { offerSchema } from '../offer.js';

/** PVE's notification severities (proxmox-notify `Severity`), which the watch uses too. */
export const ALERT_SEVERITIES = ['info', 'notice', 'warning', 'error', 'unknown'] as const;

/** What kind of event: PVE's notification `type` field, or the watch's own kinds. */
export const ALERT_TYPES = [
  // PVE's notifications (the `type` metadata field PVE sets).
  'vzdump',
  'replication',
  'fencing',
  'package-updates',
  'system-mail',
  // The bot's watch: what PVE does not notify.
  'node',
  'quorum',
  'ha-recovery',
  'task',
  'storage',
  // PVE's "Test" button, or a notification of a type this version does not know.
  'other',
] as const;
export type AlertType = (typeof ALERT_TYPES)[number];

export const alertSchema = z.object({
  /**
   * One incident, one key (`node-offline:node02`, `pve:vzdump:node01:1765000000`): a second alert
   * with the same key updates the same card instead of posting another.
   */
  key: z.string().min(1).max(200),
  source: z.enum(['pve', 'watch']),
  type: z.enum(ALERT_TYPES),
  severity: z.enum(ALERT_SEVERITIES),
  /** One line: `Backup failed on node01: TestVM (qemu/100)`. */
  title: z.string().min(1),
  /** A few lines under it; the rest goes into `log`. */
  text: z.string().optional(),
  /** The essential fields, in order: `Node: node01`, `Guests: 100, 102`. */
  fields: z.array(z.object({ label: z.string(), value: z.string() })).default([]),
  /** A long text (PVE's full message, a task log) attached as a file, never cut into the card. */
  log: z.object({ name: z.string(), text: z.string() }).optional(),
  /** `open` until the watch sees it end (`resolved`); PVE's notifications are events: `event`. */
  state: z.enum(['open', 'resolved', 'event']),
  /** Commands offered as buttons, through the policy like typed ones (Retry backup, Run now). */
  offers: z.array(offerSchema).default([]),
  /** When it happened (ms): PVE's timestamp, or when the watch saw it. */
  at: z.number(),
});
export type Alert = z.infer<typeof alertSchema>;
export type AlertInput = z.input<typeof alertSchema>;
