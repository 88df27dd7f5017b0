// The PVE API client's public surface.

export type { BackupMode, BackupStarted, NewBackup, NodeTaskFilter } from './backup-api.js';
export type { CloneOptions, CloneStarted } from './clone-guest.js';
export type { ClusterNodeState, ClusterState, ResourcesOf, ResourceType } from './cluster-api.js';
export { encodeParams, type PveParams, type PveParamValue } from './encode-params.js';
export { findGuests } from './find-guests.js';
export type { HaMigrationResult } from './follow-ha-migration.js';
export type { PowerAction } from './guest-power.js';
export type { GuestRef } from './guest-ref.js';
export { mapPveError } from './map-pve-error.js';
export type { MigrationResult, WaitForMigrationOptions } from './migrate-guest.js';
export {
  PVE_NOTIFICATION_SEVERITIES,
  type PveNotificationBody,
  type PveNotificationSeverity,
  pveNotificationBodySchema,
  WEBHOOK_BODY_TEMPLATE,
} from './notification-template.js';
export {
  type DecodedWebhookEndpoint,
  decodeNamedValue,
  decodeWebhookEndpoint,
  encodeNamedValue,
  type MatcherSpec,
  type MatcherUpdate,
  type NamedValue,
  type NewMatcher,
  type NewWebhookEndpoint,
  type WebhookEndpointSpec,
  type WebhookEndpointUpdate,
} from './notifications-api.js';
export { parseUpid, type Upid } from './parse-upid.js';
export type { MigrationPlan } from './plan-migration.js';
export { type MigrateOptions, ProxmoxClient, type ProxmoxClientOptions } from './proxmox-client.js';
export { normalizeFingerprint } from './pve-connector.js';
export { isPveError, PveError, PveErrorCode, type PveErrorFields } from './pve-error.js';
export { pvePath } from './pve-path.js';
export {
  createPveTransport,
  type PveMethod,
  type PveTransport,
  type PveTransportOptions,
} from './pve-transport.js';
export { type PveRequestEvent, type PveRequestListener, pveRequestChannel } from './request-observer.js';
export type { BackupArchive, BackupJob, NotBackedUp } from './schemas/backup-schemas.js';
export type * from './schemas/cluster-schemas.js';
export type { GuestStatus } from './schemas/guest-schemas.js';
export type { NodeListEntry, NodeStatus } from './schemas/node-schemas.js';
export type {
  MatcherFieldValue,
  NotificationMatcher,
  NotificationTarget,
  WebhookEndpoint,
} from './schemas/notification-schemas.js';
export type { GuestConfig, SnapshotConfig } from './schemas/snapshot-schemas.js';
export type { TaskLogLine, TaskStatus } from './schemas/task-schemas.js';
export type { GuestSnapshot, NewSnapshot, SnapshotList } from './snapshot-api.js';
export type { HostKey } from './ssh/known-hosts.js';
export { KnownHosts } from './ssh/known-hosts.js';
export { commandLine, isPveNodeName, type SshCommand } from './ssh/ssh-command.js';
export { isSshError, SshError, type SshErrorCode, type SshErrorFields } from './ssh/ssh-error.js';
export {
  type SshResult,
  SshRunner,
  type SshRunnerOptions,
  type SshRunOptions,
  type SshTarget,
} from './ssh/ssh-runner.js';
export { isTaskSuccess } from './task-api.js';
export { progressFromLogLine } from './task-progress.js';
export { type TaskProgress, type TaskResult, type WaitForTaskOptions, waitForTask } from './wait-for-task.js';
