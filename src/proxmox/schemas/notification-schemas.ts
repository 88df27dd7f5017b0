import { z } from 'zod';
import { pveBool } from './pve-values.js';

// PVE's notification configuration (pve-manager PVE/API2/Cluster/Notifications.pm over the Rust
// crate proxmox-notify); fixtures in test/conformance/pve/fixtures/notifications. Booleans
// (`disable`, `invert-match`) come from Rust through perlmod: read as 0/1 or true/false.

/** Where an entry comes from (`builtin`: mail-to-root and default-matcher). */
const origin = z.string().optional();

/**
 * GET /cluster/notifications/endpoints/webhook[/{name}]: `header` items are property strings
 * `name=<name>,value=<base64>`, `body` is base64, `secret` items are names only (`name=token`):
 * secret values are never returned. `digest` only on GET {name}.
 */
export const webhookEndpointSchema = z.looseObject({
  name: z.string(),
  method: z.string(),
  url: z.string(),
  header: z.array(z.string()).optional(),
  body: z.string().optional(),
  secret: z.array(z.string()).optional(),
  comment: z.string().optional(),
  disable: pveBool.optional(),
  origin,
  digest: z.string().optional(),
});
export type WebhookEndpoint = z.output<typeof webhookEndpointSchema>;
export const webhookEndpointsSchema = z.array(webhookEndpointSchema);

/**
 * GET /cluster/notifications/matchers[/{name}]: `match-field` items `exact:<field>=<v1>,<v2>` or
 * `regex:<field>=<re>`, `match-severity` items comma lists; `mode` (default all) combines the
 * directives and the items inside each one.
 */
export const notificationMatcherSchema = z.looseObject({
  name: z.string(),
  'match-field': z.array(z.string()).optional(),
  'match-severity': z.array(z.string()).optional(),
  'match-calendar': z.array(z.string()).optional(),
  mode: z.string().optional(),
  'invert-match': pveBool.optional(),
  target: z.array(z.string()).optional(),
  comment: z.string().optional(),
  disable: pveBool.optional(),
  origin,
  digest: z.string().optional(),
});
export type NotificationMatcher = z.output<typeof notificationMatcherSchema>;
export const notificationMatchersSchema = z.array(notificationMatcherSchema);

/** GET /cluster/notifications/targets: every endpoint of every type (gotify, sendmail, smtp, webhook). */
export const notificationTargetSchema = z.looseObject({
  name: z.string(),
  type: z.string(),
  origin,
  comment: z.string().optional(),
  disable: pveBool.optional(),
});
export type NotificationTarget = z.output<typeof notificationTargetSchema>;
export const notificationTargetsSchema = z.array(notificationTargetSchema);

/** GET /cluster/notifications/matcher-fields. */
export const matcherFieldsSchema = z.array(z.looseObject({ name: z.string() }));

/** GET /cluster/notifications/matcher-field-values: `comment` is null for a job without one. */
export const matcherFieldValuesSchema = z.array(
  z.looseObject({ field: z.string(), value: z.string(), comment: z.string().nullable().optional() }),
);
export type MatcherFieldValue = z.output<typeof matcherFieldValuesSchema>[number];
