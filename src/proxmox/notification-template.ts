// The body our PVE webhook target sends to the receiver (POST /pve/notifications), written once:
// `notify:setup` stores it in the target (base64), the simulator renders it when it delivers, and the
// receiver checks what arrives with pveNotificationBodySchema.
//
// PVE renders the body with handlebars, no HTML escaping (proxmox-notify endpoints/webhook.rs
// build_request). Its template data: `title` (the rendered subject, newlines replaced by spaces, so
// usually with a trailing space), `message` (the rendered plain-text body), `severity`, `timestamp`
// (UNIX seconds, a number), `fields` (the notification's metadata, all strings), `secrets`. The `json`
// helper serializes any value, so this template always renders valid JSON. The space before the last
// `}` keeps handlebars from reading `}}}` as the end of a triple-stash.
import { z } from 'zod';

export const WEBHOOK_BODY_TEMPLATE =
  '{"title": {{ json title }}, "message": {{ json message }}, "severity": {{ json severity }}, "timestamp": {{ timestamp }}, "fields": {{ json fields }} }';

/** proxmox-notify `Severity` (kebab-case). */
export const PVE_NOTIFICATION_SEVERITIES = ['info', 'notice', 'warning', 'error', 'unknown'] as const;
export type PveNotificationSeverity = (typeof PVE_NOTIFICATION_SEVERITIES)[number];

/**
 * What WEBHOOK_BODY_TEMPLATE produces. `fields` is `{}` for PVE's test notification (no `type`);
 * otherwise it carries `type` (vzdump, replication, fencing, package-updates, system-mail),
 * `hostname` and, for jobs, `job-id`.
 */
export const pveNotificationBodySchema = z.object({
  title: z.string(),
  message: z.string(),
  severity: z.enum(PVE_NOTIFICATION_SEVERITIES),
  timestamp: z.number().int(),
  fields: z.record(z.string(), z.string()),
});
export type PveNotificationBody = z.infer<typeof pveNotificationBodySchema>;
