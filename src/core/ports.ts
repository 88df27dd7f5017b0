// What the core needs of the world, as small interfaces: the job queue, the approvals, the audit
// log, the request ledger and the cluster read. Production passes the Redis-backed classes
// (JobQueue, ApprovalStore, AuditLog, RequestLedger) and the PVE client; the core's tests pass
// in-memory ones (test/core/helpers/memory-ports.ts), so every command's policy and approval path
// runs without Redis or the simulator. The chat side is the ChatSink (message.ts).
import type { BalanceSettings } from '../config/balance-settings.js';
import type { AlertType } from '../jobs/alerts/alert.js';
import type { AlertAck, AlertSnooze, StoredAlert } from '../jobs/alerts/alert-store.js';
import type {
  CancelOutcome,
  ControlOutcome,
  Enqueued,
  EnqueueRequest,
  JobInfo,
  JobQueue,
} from '../jobs/job-queue.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { GuestRef } from '../proxmox/guest-ref.js';
import type { ClusterSnapshot } from '../proxmox/read-cluster-snapshot.js';
import type { SnapshotList } from '../proxmox/snapshot-api.js';
import type { ApprovalRequest, DecisionResult, OpenApprovalInput } from './approvals/approval-store.js';
import type { AuditEntry, AuditRecord } from './audit/audit-log.js';
import type { ChatUser } from './chat-event.js';
import type { ClusterDirectory } from './cluster-directory.js';
import type { IntakeEntry } from './intake/intake-entry.js';
import type { ChatSink } from './message.js';
import type { Policy } from './policy/index.js';

export interface JobsPort {
  /** Validates the payload against its kind and adds the job; the same `jobId` twice adds nothing. */
  enqueue(request: EnqueueRequest): Promise<Enqueued>;
  get(jobId: string): Promise<JobInfo | undefined>;
  /** The newest first (states: BullMQ's; by default every one). */
  list: JobQueue['list'];
  cancel(jobId: string, by: string): Promise<CancelOutcome>;
  control(jobId: string, action: 'pause' | 'resume' | 'abort', by: string): Promise<ControlOutcome>;
}

export interface ApprovalsPort {
  /** With `id`, opening the same request twice returns the first (a redelivered proposal). */
  open(input: OpenApprovalInput, options?: { id?: string }): Promise<ApprovalRequest>;
  get(id: string): Promise<ApprovalRequest | undefined>;
  /** `allowed`: the policy's verdict on this person approving; the store checks the rest. */
  decide(id: string, user: ChatUser, decision: 'approve' | 'deny', allowed: boolean): Promise<DecisionResult>;
  cancel(id: string, user: ChatUser): Promise<DecisionResult>;
}

export interface AuditPort {
  append(entry: AuditEntry): Promise<unknown>;
  latest(n: number): Promise<AuditRecord[]>;
}

export interface RequestsPort {
  /** True the first time `requestId` is seen, false for a replay or redelivery. */
  claim(requestId: string): Promise<boolean>;
}

export interface IntakePort {
  /** Appends a verified, acknowledged request, claiming its id at once; `duplicate`: seen before. */
  submit(entry: IntakeEntry): Promise<'accepted' | 'duplicate'>;
}

/**
 * The alerts the workers published (alerts/alert-store.ts): their latest version and where their
 * cards went, acknowledgements, snoozes. The AlertStore in production.
 */
export interface AlertsPort {
  get(key: string): Promise<StoredAlert | undefined>;
  /** Records who acknowledged `key` unless someone did first; the acknowledgement that stands. */
  acknowledge(
    key: string,
    by: { id: string; name: string },
    at: number,
  ): Promise<{ ack: AlertAck; first: boolean }>;
  ackOf(key: string): Promise<AlertAck | undefined>;
  /** New alerts of `type` are held back until `until`. */
  snooze(type: AlertType, until: number, by: { id: string; name: string }, now?: number): Promise<void>;
  snoozeOf(type: AlertType, now?: number): Promise<AlertSnooze | undefined>;
}

/**
 * What PVE says a PVE user may do (the PVE client in production): `GET /access/permissions` for one
 * user and path, the roles (to name one an admin could grant), and the cluster's major version
 * (8.4 and 9.x check some actions differently).
 */
export interface PermissionsPort {
  /** Privilege → whether it reaches below `path`. Empty when nothing is granted there. */
  privilegesOf(userid: string, path: string): Promise<Record<string, boolean>>;
  roles(): Promise<Array<{ roleid: string; privs?: string | undefined }>>;
  pveMajor(): Promise<number>;
}

/** One cluster of several (PVE_CLUSTERS_FILE): its name and its reads. */
export interface CoreCluster {
  /** As the clusters file names it (`--cluster` takes it). */
  name: string;
  readCluster: () => Promise<ClusterSnapshot>;
  readSnapshots?: (guest: GuestRef) => Promise<SnapshotList>;
  permissions?: PermissionsPort;
}

export interface CoreOptions {
  queue: JobsPort;
  approvals: ApprovalsPort;
  audit: AuditPort;
  policy: Policy;
  sink: ChatSink;
  /** One read of the whole cluster (resources and status) for name resolution and planning. */
  readCluster: () => Promise<ClusterSnapshot>;
  /**
   * One guest's snapshots (GET …/snapshot), for commands that name one at request time
   * (`rollback`, `snapshot delete`): an unknown name is refused before anyone approves it.
   */
  readSnapshots?: (guest: GuestRef) => Promise<SnapshotList>;
  /**
   * The alerts (cards of PVE notifications and of the cluster watch): read when a card is drawn
   * (who acknowledged it), written by Acknowledge and Snooze 4h. Without it those buttons answer
   * that alerts are not set up here.
   */
  alerts?: AlertsPort | undefined;
  /**
   * PVE's answers on what a person's PVE user may do, for the policy's `identities:`. Without it,
   * a policy that maps identities (mode required or optional) refuses everything that acts: a
   * missing setting never opens a door.
   */
  permissions?: PermissionsPort | undefined;
  /**
   * Several clusters: each command is for one of them (`--cluster`, the channel's default, or the
   * one where what it names exists; core/clusters/choose-cluster.ts), and its job runs there.
   * Absent or one: `readCluster` and friends are the only cluster.
   */
  clusters?: readonly CoreCluster[] | undefined;
  /**
   * The one cluster's name (its PVE cluster name, lower-cased), when the bot drives one through
   * the PVE_* variables: `--cluster` may name it and policy entries `<command>@<name>` apply.
   */
  clusterName?: string | undefined;
  /** The names for autocomplete; by default one fed by readCluster. */
  directory?: ClusterDirectory;
  logger?: Logger;
  clock?: () => number;
  /** The operator's balance defaults (BALANCE_*); the built-in ones when absent. */
  balance?: BalanceSettings;
  /** The time zone `--at` and maintenance windows are read in when the policy names none (DIGEST_TZ); the host's when absent. */
  timeZone?: string;
  /** BACKUP_MAX_AGE_DAYS for `/pve digest` and `/pve status <guest>`; 7 when absent. */
  backupMaxAgeDays?: number;
  /** Counts commands by name and outcome, and approval decisions; nothing without it. */
  metrics?: Metrics | undefined;
  /**
   * Remembers which platform requests were handled (ChatEvent and ButtonPress `requestId`), so a
   * replayed or redelivered one does nothing. Its claim is also the first write of a request:
   * when Redis is down, the person hears so before anything is posted in public. Without it,
   * every arrival is handled.
   */
  requests?: RequestsPort | undefined;
  /**
   * The durable intake (intake/command-intake.ts). With it, handle() and press() only submit the
   * request (the platform's acknowledgement path stays short) and process() does the work, in this
   * process or another replica (a console's commands stay with its process: each replica consumes
   * only its own platforms' streams). Without it (tests), they do the work at once.
   */
  intake?: IntakePort | undefined;
  /**
   * How long after its acceptance a request may still be handled from the intake. One older than
   * this (every replica was down) is refused with a word to the person, never run late. Default 2 min.
   */
  intakeDeadlineMs?: number;
}
