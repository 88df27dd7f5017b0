// Every job kind the worker runs. A new kind: one file in this folder and one line here.
import type { z } from 'zod';
import { createJobKindRegistry } from '../job-kind.js';
import { backupKind } from './backup-kind.js';
import { backupsKind } from './backups-kind.js';
import { balanceKind } from './balance-kind.js';
import { balancePlanKind } from './balance-plan-kind.js';
import { cloneKind } from './clone-kind.js';
import { clusterKind } from './cluster-kind.js';
import { clusterWatchKind } from './cluster-watch-kind.js';
import { createKind } from './create-kind.js';
import { digestKind } from './digest-kind.js';
import { haKind } from './ha-kind.js';
import { haResourceKinds } from './ha-resource-kind.js';
import { migrateKind } from './migrate-kind.js';
import { nodePowerKind } from './node-power-kind.js';
import { pveNotificationKind } from './pve-notification-kind.js';
import { rebootKind } from './reboot-kind.js';
import { reminderKind } from './reminder-kind.js';
import { replicationCreateKind } from './replication-create-kind.js';
import { replicationKind } from './replication-kind.js';
import { rollbackKind } from './rollback-kind.js';
import { shutdownKind } from './shutdown-kind.js';
import { snapshotDeleteKind } from './snapshot-delete-kind.js';
import { snapshotKind } from './snapshot-kind.js';
import { snapshotsKind } from './snapshots-kind.js';
import { startKind } from './start-kind.js';
import { statusKind } from './status-kind.js';
import { stopKind } from './stop-kind.js';
import { tasksKind } from './tasks-kind.js';
import { updatesKind } from './updates-kind.js';
import { upgradeKind } from './upgrade-kind.js';
import { upgradePlanKind } from './upgrade-plan-kind.js';

/** The list, with each kind's literal name and payload schema kept for the types below. */
export const jobKindList = [
  statusKind,
  clusterKind,
  tasksKind,
  startKind,
  stopKind,
  shutdownKind,
  rebootKind,
  migrateKind,
  cloneKind,
  createKind,
  backupKind,
  backupsKind,
  updatesKind,
  upgradePlanKind,
  upgradeKind,
  nodePowerKind,
  digestKind,
  haKind,
  ...haResourceKinds,
  clusterWatchKind,
  replicationKind,
  replicationCreateKind,
  balancePlanKind,
  balanceKind,
  snapshotKind,
  snapshotsKind,
  rollbackKind,
  snapshotDeleteKind,
  pveNotificationKind,
  reminderKind,
] as const;

export const jobKinds = createJobKindRegistry(jobKindList);

type AnyKind = (typeof jobKindList)[number];

/** Every job kind's name: `migrate`, `upgrade-plan`, `ha-add`, … */
export type JobKindName = AnyKind['name'];

/** What a kind's payload may be given as (before its schema's defaults apply). */
export type JobPayload<K extends JobKindName> = z.input<Extract<AnyKind, { name: K }>['payload']>;

/**
 * A job to enqueue, typed by its kind: `{ kind: 'migrate', payload: { guest, target, mode } }`.
 * The compiler checks the payload against the kind's schema; the queue validates it again at run
 * time (it also comes from stored approvals and proposals).
 */
export type JobRequest = { [K in JobKindName]: { kind: K; payload: JobPayload<K> } }[JobKindName];
