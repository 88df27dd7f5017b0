import type { z } from 'zod';
import {
  type AclChange,
  createGroup,
  createUser,
  listAcl,
  listGroups,
  listRoles,
  listUsers,
  type NewUser,
  readPermissions,
  updateAcl,
} from './access-api.js';
import {
  type BackupStarted,
  listBackupJobs,
  listBackups,
  listNodeTasks,
  listNotBackedUp,
  type NewBackup,
  type NodeTaskFilter,
  startBackup,
} from './backup-api.js';
import { type CloneOptions, type CloneStarted, cloneGuest } from './clone-guest.js';
import {
  type ClusterState,
  getClusterResources,
  getClusterStatus,
  getNextId,
  getNodeStatus,
  getVersion,
  listClusterTasks,
  listNodes,
  type ResourcesOf,
  type ResourceType,
} from './cluster-api.js';
import { getJoinInfo } from './cluster-join-api.js';
import { type CreateVmOptions, createVm } from './create-vm.js';
import type { PveParams } from './encode-params.js';
import { findGuests } from './find-guests.js';
import {
  type FollowHaMigrationOptions,
  followHaMigration,
  type HaMigrationResult,
} from './follow-ha-migration.js';
import { getGuestStatus, type PowerAction, powerGuest } from './guest-power.js';
import type { GuestRef } from './guest-ref.js';
import {
  addHaResource,
  type HaRequestedState,
  listHaResources,
  removeHaResource,
} from './ha-resources-api.js';
import { createHaRule, deleteHaRule, listHaGroups, listHaRules, type NewHaRule } from './ha-rules-api.js';
import { getHaStatus } from './ha-status-api.js';
import {
  type MigrationResult,
  startMigration,
  type WaitForMigrationOptions,
  waitForMigration,
} from './migrate-guest.js';
import { getNodeTime, listNodeCertificates } from './node-health-api.js';
import { listNodeStorages, type NodeStorage } from './node-storage-api.js';
import {
  listPackageVersions,
  listPendingUpdates,
  refreshPackageLists,
  requestNodePower,
} from './node-updates.js';
import {
  createMatcher,
  createWebhookEndpoint,
  getMatcher,
  getWebhookEndpoint,
  listMatcherFields,
  listMatcherFieldValues,
  listMatchers,
  listNotificationTargets,
  listWebhookEndpoints,
  type MatcherUpdate,
  type NewMatcher,
  type NewWebhookEndpoint,
  testNotificationTarget,
  updateMatcher,
  updateWebhookEndpoint,
  type WebhookEndpointUpdate,
} from './notifications-api.js';
import {
  type MigratePrecondition,
  type MigrationPlan,
  planMigration,
  readMigratePrecondition,
} from './plan-migration.js';
import {
  createPveTransport,
  type PveMethod,
  type PveRequestOptions,
  type PveTransport,
  type PveTransportOptions,
} from './pve-transport.js';
import { readClusterSnapshot, type TimedClusterSnapshot } from './read-cluster-snapshot.js';
import {
  createReplicationJob,
  listNodeReplicationStatus,
  listReplicationJobs,
  type NewReplicationJob,
  readReplicationLog,
  scheduleReplicationNow,
} from './replication-api.js';
import type { AclEntry, PathPrivileges, Permissions, PveRole, UserEntry } from './schemas/access-schemas.js';
import type { PackageVersion, PendingUpdate } from './schemas/apt-schemas.js';
import type { BackupArchive, BackupJob, NotBackedUp } from './schemas/backup-schemas.js';
import type { CertificateInfo } from './schemas/certificate-schemas.js';
import type { ClusterTask, GuestResource, PveVersion } from './schemas/cluster-schemas.js';
import type { GuestStatus } from './schemas/guest-schemas.js';
import type { HaGroup, HaResourceEntry, HaRule, HaStatusEntry } from './schemas/ha-schemas.js';
import type { JoinInfo } from './schemas/join-schemas.js';
import type { NodeListEntry, NodeStatus } from './schemas/node-schemas.js';
import type { NodeTime } from './schemas/node-time-schemas.js';
import type {
  MatcherFieldValue,
  NotificationMatcher,
  NotificationTarget,
  WebhookEndpoint,
} from './schemas/notification-schemas.js';
import type { ReplicationJob, ReplicationStatus } from './schemas/replication-schemas.js';
import type { GuestConfig, SnapshotConfig } from './schemas/snapshot-schemas.js';
import type { TaskLogLine, TaskStatus } from './schemas/task-schemas.js';
import { SharedClusterSnapshot } from './shared-cluster-snapshot.js';
import {
  createSnapshot,
  deleteSnapshot,
  getGuestConfig,
  getSnapshotConfig,
  listSnapshots,
  type NewSnapshot,
  rollbackSnapshot,
  type SnapshotList,
} from './snapshot-api.js';
import { getTaskStatus, readTaskLog, stopTask } from './task-api.js';
import { type TaskResult, type WaitForTaskOptions, waitForTask } from './wait-for-task.js';

export interface SnapshotSharingOptions {
  /**
   * How old a finished cluster read may be for `recentClusterSnapshot` to hand it out again
   * (default 2000 ms; 0 shares only reads under way).
   */
  clusterSnapshotMaxAgeMs?: number;
}

export type ProxmoxClientOptions = PveTransportOptions & SnapshotSharingOptions;

export interface MigrateOptions extends WaitForMigrationOptions {
  /** `hastate` from `/cluster/resources`, when the caller already read it. */
  hastate?: string;
}

/**
 * The PVE API as the rest of the product uses it: one object over one transport, the only door
 * to PVE. The transport stays private, so every request the product sends is one of these
 * methods (each a thin call into a function of this folder that takes a `PveTransport`).
 */
export class ProxmoxClient {
  readonly #transport: PveTransport;
  readonly #snapshots: SharedClusterSnapshot;

  /** From the connection settings, or over a transport of the caller's (tests wrap one). */
  constructor(options: ProxmoxClientOptions | ({ transport: PveTransport } & SnapshotSharingOptions)) {
    const { clusterSnapshotMaxAgeMs, ...connection } = options;
    const transport = 'transport' in connection ? connection.transport : createPveTransport(connection);
    this.#snapshots = new SharedClusterSnapshot({
      read: () => readClusterSnapshot(transport),
      ...(clusterSnapshotMaxAgeMs === undefined ? {} : { maxAgeMs: clusterSnapshotMaxAgeMs }),
    });
    this.#transport = invalidatingOnWrites(transport, () => this.#snapshots.invalidate());
  }

  close(): Promise<void> {
    return this.#transport.close();
  }

  // Cluster and nodes.
  clusterResources<T extends ResourceType | undefined = undefined>(
    type?: T,
    signal?: AbortSignal,
  ): Promise<ResourcesOf<T>> {
    return getClusterResources(this.#transport, type, signal);
  }
  clusterStatus(signal?: AbortSignal): Promise<ClusterState> {
    return getClusterStatus(this.#transport, signal);
  }
  /** `/cluster/resources` and `/cluster/status` together: the whole cluster in two calls, read now. */
  clusterSnapshot(signal?: AbortSignal): Promise<TimedClusterSnapshot> {
    return readClusterSnapshot(this.#transport, signal);
  }
  /**
   * The same, shared with the callers that ask at about the same time: the read under way, or one
   * that finished less than `maxAgeMs` ago (the client's `clusterSnapshotMaxAgeMs`, 2 s by default).
   * For reports that state `readAt` (`/pve status`) and for the request-time name resolution and
   * planning of the core, whose jobs read what they act on again when they run. Not for a job's
   * own decisions: those use `clusterSnapshot`, `clusterResources` or `clusterStatus`. A write
   * sent or a task waited for through this client ends the reuse of everything read before it.
   * The signal stops only this caller's wait.
   */
  recentClusterSnapshot(signal?: AbortSignal, maxAgeMs?: number): Promise<TimedClusterSnapshot> {
    return this.#snapshots.get({
      ...(signal ? { signal } : {}),
      ...(maxAgeMs === undefined ? {} : { maxAgeMs }),
    });
  }
  nodes(signal?: AbortSignal): Promise<NodeListEntry[]> {
    return listNodes(this.#transport, signal);
  }
  nodeStatus(node: string, signal?: AbortSignal): Promise<NodeStatus> {
    return getNodeStatus(this.#transport, node, signal);
  }
  version(signal?: AbortSignal): Promise<PveVersion> {
    return getVersion(this.#transport, signal);
  }
  nextId(vmid?: number, signal?: AbortSignal): Promise<number> {
    return getNextId(this.#transport, vmid, signal);
  }
  clusterTasks(signal?: AbortSignal): Promise<ClusterTask[]> {
    return listClusterTasks(this.#transport, signal);
  }
  nodeStorages(node: string, content?: string, signal?: AbortSignal): Promise<NodeStorage[]> {
    return listNodeStorages(this.#transport, node, content, signal);
  }
  /** A new empty QEMU VM; the `qmcreate` UPID. */
  createVm(node: string, options: CreateVmOptions): Promise<string> {
    return createVm(this.#transport, node, options);
  }
  joinInfo(signal?: AbortSignal): Promise<JoinInfo> {
    return getJoinInfo(this.#transport, signal);
  }
  nodePower(node: string, command: 'reboot' | 'shutdown', signal?: AbortSignal): Promise<void> {
    return requestNodePower(this.#transport, node, command, signal);
  }

  /** The node's own clock (whole seconds), to compare nodes' clocks with each other. */
  nodeTime(node: string, signal?: AbortSignal): Promise<NodeTime> {
    return getNodeTime(this.#transport, node, signal);
  }
  nodeCertificates(node: string, signal?: AbortSignal): Promise<CertificateInfo[]> {
    return listNodeCertificates(this.#transport, node, signal);
  }

  // HA and replication.
  haStatus(signal?: AbortSignal): Promise<HaStatusEntry[]> {
    return getHaStatus(this.#transport, signal);
  }
  haResources(signal?: AbortSignal): Promise<HaResourceEntry[]> {
    return listHaResources(this.#transport, signal);
  }
  /** `ha-manager add <sid> --state <state>`: the CRM takes it over in its next round. */
  addHaResource(sid: string, state: HaRequestedState, signal?: AbortSignal): Promise<void> {
    return addHaResource(this.#transport, sid, state, signal);
  }
  /** `ha-manager remove <sid>`: the guest stays as it is, no longer managed. */
  removeHaResource(sid: string, signal?: AbortSignal): Promise<void> {
    return removeHaResource(this.#transport, sid, signal);
  }
  /** HA placement rules (PVE 9.x); on PVE 8.4 a PveError UnknownEndpoint (501): read haGroups then. */
  haRules(signal?: AbortSignal): Promise<HaRule[]> {
    return listHaRules(this.#transport, signal);
  }
  /** HA groups, PVE 8.x placement; PVE 9.x answers 500 once they are migrated to rules. */
  haGroups(signal?: AbortSignal): Promise<HaGroup[]> {
    return listHaGroups(this.#transport, signal);
  }
  /** `ha-manager rules add`: a node-affinity or resource-affinity rule over HA-managed resources. */
  createHaRule(rule: NewHaRule, signal?: AbortSignal): Promise<void> {
    return createHaRule(this.#transport, rule, signal);
  }
  /** `ha-manager rules remove`: no error when the rule does not exist. */
  deleteHaRule(rule: string, signal?: AbortSignal): Promise<void> {
    return deleteHaRule(this.#transport, rule, signal);
  }
  replicationJobs(signal?: AbortSignal): Promise<ReplicationJob[]> {
    return listReplicationJobs(this.#transport, signal);
  }
  /** The state of the replication jobs whose guests live on `node`. */
  nodeReplicationStatus(node: string, signal?: AbortSignal): Promise<ReplicationStatus[]> {
    return listNodeReplicationStatus(this.#transport, node, signal);
  }
  /** A local replication job (`<vmid>-<n>`); pvesr starts its first, full sync at once. */
  createReplicationJob(job: NewReplicationJob, signal?: AbortSignal): Promise<void> {
    return createReplicationJob(this.#transport, job, signal);
  }
  /** Runs a job now; `node` is where its guest lives. */
  scheduleReplicationNow(node: string, id: string, signal?: AbortSignal): Promise<void> {
    return scheduleReplicationNow(this.#transport, node, id, signal);
  }
  /** The last run's log of a job; `node` is where its guest lives. */
  replicationLog(
    node: string,
    id: string,
    options: { start?: number; limit?: number } = {},
    signal?: AbortSignal,
  ): Promise<Array<{ n: number; t: string }>> {
    return readReplicationLog(this.#transport, node, id, options, signal);
  }

  // Package updates (installing them needs SSH: src/proxmox/ssh).
  refreshPackageLists(node: string, signal?: AbortSignal): Promise<string> {
    return refreshPackageLists(this.#transport, node, signal);
  }
  pendingUpdates(node: string, signal?: AbortSignal): Promise<PendingUpdate[]> {
    return listPendingUpdates(this.#transport, node, signal);
  }
  packageVersions(node: string, signal?: AbortSignal): Promise<PackageVersion[]> {
    return listPackageVersions(this.#transport, node, signal);
  }

  // PVE's users, roles and ACLs (access-api.ts).
  /** Path → privilege → whether it propagates below; another user's needs Sys.Audit on /access. */
  permissions(query: { userid?: string; path?: string } = {}, signal?: AbortSignal): Promise<Permissions> {
    return readPermissions(this.#transport, query, signal);
  }
  /**
   * What `userid` may do on `path`: privilege → whether it reaches below. PVE echoes the path as
   * asked; nothing granted is an empty map.
   */
  async permissionsOf(userid: string, path: string, signal?: AbortSignal): Promise<PathPrivileges> {
    return (await readPermissions(this.#transport, { userid, path }, signal))[path] ?? {};
  }
  roles(signal?: AbortSignal): Promise<PveRole[]> {
    return listRoles(this.#transport, signal);
  }
  acl(signal?: AbortSignal): Promise<AclEntry[]> {
    return listAcl(this.#transport, signal);
  }
  updateAcl(change: AclChange, signal?: AbortSignal): Promise<void> {
    return updateAcl(this.#transport, change, signal);
  }
  users(signal?: AbortSignal): Promise<UserEntry[]> {
    return listUsers(this.#transport, signal);
  }
  createUser(user: NewUser, signal?: AbortSignal): Promise<void> {
    return createUser(this.#transport, user, signal);
  }
  groups(signal?: AbortSignal) {
    return listGroups(this.#transport, signal);
  }
  createGroup(group: { groupid: string; comment?: string }, signal?: AbortSignal): Promise<void> {
    return createGroup(this.#transport, group, signal);
  }

  // PVE's notification system (notifications-api.ts): webhook targets and matchers.
  /** Every webhook target, headers/body base64 as stored, secrets by name only (needs Mapping.Audit). */
  webhookEndpoints(signal?: AbortSignal): Promise<WebhookEndpoint[]> {
    return listWebhookEndpoints(this.#transport, signal);
  }
  /** One webhook target with the config's `digest`. */
  webhookEndpoint(name: string, signal?: AbortSignal): Promise<WebhookEndpoint> {
    return getWebhookEndpoint(this.#transport, name, signal);
  }
  createWebhookEndpoint(endpoint: NewWebhookEndpoint, signal?: AbortSignal): Promise<void> {
    return createWebhookEndpoint(this.#transport, endpoint, signal);
  }
  /** Each given property replaces the stored one; pass the `digest` read with it. */
  updateWebhookEndpoint(name: string, update: WebhookEndpointUpdate, signal?: AbortSignal): Promise<void> {
    return updateWebhookEndpoint(this.#transport, name, update, signal);
  }
  notificationMatchers(signal?: AbortSignal): Promise<NotificationMatcher[]> {
    return listMatchers(this.#transport, signal);
  }
  notificationMatcher(name: string, signal?: AbortSignal): Promise<NotificationMatcher> {
    return getMatcher(this.#transport, name, signal);
  }
  createNotificationMatcher(matcher: NewMatcher, signal?: AbortSignal): Promise<void> {
    return createMatcher(this.#transport, matcher, signal);
  }
  updateNotificationMatcher(name: string, update: MatcherUpdate, signal?: AbortSignal): Promise<void> {
    return updateMatcher(this.#transport, name, update, signal);
  }
  /** Every notification target of every type (sendmail, smtp, gotify, webhook). */
  notificationTargets(signal?: AbortSignal): Promise<NotificationTarget[]> {
    return listNotificationTargets(this.#transport, signal);
  }
  /** PVE's test notification to one target; resolves when the receiver answered 2xx. */
  testNotificationTarget(name: string, signal?: AbortSignal): Promise<void> {
    return testNotificationTarget(this.#transport, name, signal);
  }
  /** The fields matchers can match on (`type`, `hostname`, `job-id`). */
  notificationMatcherFields(signal?: AbortSignal): Promise<string[]> {
    return listMatcherFields(this.#transport, signal);
  }
  notificationMatcherFieldValues(signal?: AbortSignal): Promise<MatcherFieldValue[]> {
    return listMatcherFieldValues(this.#transport, signal);
  }

  /** Guests matching a name (case-insensitive) or vmid, from one `/cluster/resources` read. */
  async findGuests(query: string, signal?: AbortSignal): Promise<GuestResource[]> {
    return findGuests(await getClusterResources(this.#transport, 'vm', signal), query);
  }

  // Guests.
  guestStatus(guest: GuestRef, signal?: AbortSignal): Promise<GuestStatus> {
    return getGuestStatus(this.#transport, guest, signal);
  }
  power(guest: GuestRef, action: PowerAction, params?: PveParams, signal?: AbortSignal): Promise<string> {
    return powerGuest(this.#transport, guest, action, params, signal);
  }
  start(guest: GuestRef, signal?: AbortSignal): Promise<string> {
    return powerGuest(this.#transport, guest, 'start', undefined, signal);
  }
  stop(guest: GuestRef, signal?: AbortSignal): Promise<string> {
    return powerGuest(this.#transport, guest, 'stop', undefined, signal);
  }
  shutdown(
    guest: GuestRef,
    params?: { timeout?: number; forceStop?: boolean },
    signal?: AbortSignal,
  ): Promise<string> {
    return powerGuest(this.#transport, guest, 'shutdown', params, signal);
  }
  reboot(guest: GuestRef, signal?: AbortSignal): Promise<string> {
    return powerGuest(this.#transport, guest, 'reboot', undefined, signal);
  }
  clone(source: GuestRef, options?: CloneOptions): Promise<CloneStarted> {
    return cloneGuest(this.#transport, source, options);
  }

  // Migration: plan (read-only, refuses early), start (one POST), wait (resumable).
  planMigration(
    guest: GuestRef,
    target: string,
    options?: { hastate?: string; signal?: AbortSignal },
  ): Promise<MigrationPlan> {
    return planMigration(this.#transport, guest, target, options);
  }
  /** PVE's own precondition (GET /nodes/{node}/{type}/{vmid}/migrate) alone; planMigration reads more. */
  migratePrecondition(guest: GuestRef, target: string, signal?: AbortSignal): Promise<MigratePrecondition> {
    return readMigratePrecondition(this.#transport, guest, target, signal);
  }
  startMigration(plan: MigrationPlan, signal?: AbortSignal): Promise<string> {
    return startMigration(this.#transport, plan, signal);
  }
  waitForMigration(
    plan: MigrationPlan,
    upid: string,
    options?: WaitForMigrationOptions,
  ): Promise<MigrationResult> {
    return this.#changes(waitForMigration(this.#transport, plan, upid, options));
  }
  /**
   * After a `hamigrate` UPID (an HA-managed guest): follows the HA stack's real migration until
   * the guest is settled on `target`. Safe to call again with the stored UPID after a restart.
   */
  followHaMigration(
    guest: GuestRef,
    target: string,
    options: FollowHaMigrationOptions,
  ): Promise<HaMigrationResult> {
    return this.#changes(followHaMigration(this.#transport, guest, target, options));
  }
  /** Plan, start and wait in one call, for callers that need no resume point in between. */
  async migrate(
    guest: GuestRef,
    target: string,
    options: MigrateOptions = {},
  ): Promise<MigrationResult & { plan: MigrationPlan; upid: string }> {
    const { hastate, ...wait } = options;
    const plan = await planMigration(this.#transport, guest, target, {
      ...(hastate === undefined ? {} : { hastate }),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const upid = await startMigration(this.#transport, plan, options.signal);
    return { ...(await this.#changes(waitForMigration(this.#transport, plan, upid, wait))), plan, upid };
  }

  // Snapshots (snapshot-api.ts): each change is a task; most refusals come inside it.
  snapshots(guest: GuestRef, signal?: AbortSignal): Promise<SnapshotList> {
    return listSnapshots(this.#transport, guest, signal);
  }
  createSnapshot(guest: GuestRef, snapshot: NewSnapshot, signal?: AbortSignal): Promise<string> {
    return createSnapshot(this.#transport, guest, snapshot, signal);
  }
  rollbackSnapshot(
    guest: GuestRef,
    name: string,
    options?: { start?: boolean },
    signal?: AbortSignal,
  ): Promise<string> {
    return rollbackSnapshot(this.#transport, guest, name, options, signal);
  }
  deleteSnapshot(guest: GuestRef, name: string, signal?: AbortSignal): Promise<string> {
    return deleteSnapshot(this.#transport, guest, name, signal);
  }
  snapshotConfig(guest: GuestRef, name: string, signal?: AbortSignal): Promise<SnapshotConfig> {
    return getSnapshotConfig(this.#transport, guest, name, signal);
  }
  guestConfig(guest: GuestRef, signal?: AbortSignal): Promise<GuestConfig> {
    return getGuestConfig(this.#transport, guest, signal);
  }

  // Backups (backup-api.ts).
  startBackup(node: string, backup: NewBackup, signal?: AbortSignal): Promise<BackupStarted> {
    return startBackup(this.#transport, node, backup, signal);
  }
  backups(node: string, storage: string, vmid?: number, signal?: AbortSignal): Promise<BackupArchive[]> {
    return listBackups(this.#transport, node, storage, vmid, signal);
  }
  backupJobs(signal?: AbortSignal): Promise<BackupJob[]> {
    return listBackupJobs(this.#transport, signal);
  }
  notBackedUp(signal?: AbortSignal): Promise<NotBackedUp[]> {
    return listNotBackedUp(this.#transport, signal);
  }
  nodeTasks(node: string, filter?: NodeTaskFilter, signal?: AbortSignal): Promise<ClusterTask[]> {
    return listNodeTasks(this.#transport, node, filter, signal);
  }

  // Tasks.
  taskStatus(upid: string, signal?: AbortSignal): Promise<TaskStatus> {
    return getTaskStatus(this.#transport, upid, signal);
  }
  /** A task's log to its end (limit=0) after its first `start` lines (default 0), from the task's own node. */
  taskLog(upid: string, options: { start?: number } = {}, signal?: AbortSignal): Promise<TaskLogLine[]> {
    return readTaskLog(this.#transport, upid, options.start ?? 0, signal);
  }
  waitForTask(upid: string, options?: WaitForTaskOptions): Promise<TaskResult> {
    return this.#changes(waitForTask(this.#transport, upid, options));
  }
  stopTask(upid: string): Promise<void> {
    return stopTask(this.#transport, upid);
  }

  /** A task's wait: once it ends (or is given up), the cluster may look different from any earlier read. */
  #changes<T>(wait: Promise<T>): Promise<T> {
    return wait.finally(() => this.#snapshots.invalidate());
  }
}

/**
 * The transport, telling `changed` whenever a write (POST, PUT, DELETE) settles: a snapshot read
 * before it may not show it. A failed write too, since it may have reached PVE.
 */
function invalidatingOnWrites(transport: PveTransport, changed: () => void): PveTransport {
  return {
    hosts: transport.hosts,
    request<S extends z.ZodType>(method: PveMethod, path: string, options: PveRequestOptions<S>) {
      const answer = transport.request(method, path, options);
      return method === 'GET' ? answer : answer.finally(changed);
    },
    close: () => transport.close(),
  };
}
