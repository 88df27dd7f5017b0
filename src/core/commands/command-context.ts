// What a command's handler may do: answer the person privately, read the cluster, run a read job,
// put a plan through the policy (approval or job), or check a private view. The pipeline
// (stages/command-context.ts) implements it; handlers never touch the queue, the approvals or the
// chat sink directly, so every command gets the same public-record, audit and approval behaviour.
import type { BalanceSettings } from '../../config/balance-settings.js';
import type { JobSchedule } from '../../jobs/job-data.js';
import type { JobInfo } from '../../jobs/job-queue.js';
import type { JobRequest } from '../../jobs/kinds/index.js';
import type { PrivilegeNeed } from '../../jobs/privileges/required-privileges.js';
import type { CommandOutcome } from '../../metrics.js';
import type { GuestRef } from '../../proxmox/guest-ref.js';
import type { ClusterSnapshot } from '../../proxmox/read-cluster-snapshot.js';
import type { SnapshotList } from '../../proxmox/snapshot-api.js';
import type { AuditRecord } from '../audit/audit-log.js';
import type { ChatEvent } from '../chat-event.js';
import type { MissingPrivilege } from '../identity/privilege-gate.js';
import type { PveIdentity } from '../identity/pve-user-of.js';
import type { Card } from '../message.js';
import type { IdentityMode, PolicyDecision, PrivateView } from '../policy/index.js';
import type { PlanResult } from './planned-job.js';

export interface CommandSettings {
  /** The operator's balance defaults (BALANCE_*). */
  balance: BalanceSettings;
  /** BACKUP_MAX_AGE_DAYS: older newest backups are flagged by the digest and `status <guest>`. */
  backupMaxAgeDays: number;
  /** The policy's `snapshots:` section: `keep`, the bot's snapshots kept per guest (absent: all). */
  snapshots: { keep?: number };
}

export interface CommandContext {
  readonly event: ChatEvent;
  readonly settings: CommandSettings;
  /** The core's clock (ms): what "since" and "ago" in a plan are counted from. */
  now(): number;
  /** An answer only the person sees (help, their jobs, a mistake in their command). */
  tell(card: Card): Promise<void>;
  /** One read of the whole cluster; it also refreshes the names autocomplete offers. */
  readCluster(): Promise<ClusterSnapshot>;
  /** One guest's snapshots, read now (a rollback names one: an unknown name is refused at once). */
  readSnapshots(guest: GuestRef): Promise<SnapshotList>;
  /** A read job: the command's public record, the job in its thread, and its progress message. */
  read(job: JobRequest): Promise<CommandOutcome>;
  /**
   * A plan through the policy: a refusal is told privately ("Cannot migrate"); otherwise the
   * approval card, or the job at once when the policy asks for no approval. A planning job
   * (`approvalAfterJob`) runs at once and its proposal is what gets approved.
   */
  request(planned: PlanResult): Promise<CommandOutcome>;
  /** A job whose answer only the person sees: no public record, no progress, a private note. */
  runPrivately(job: JobRequest, card: (jobId: string) => Card): Promise<CommandOutcome>;
  /** May the person see this private view (its own policy entry alone decides)? */
  mayView(view: PrivateView): PolicyDecision;
  /** A refusal under `entry`: audited, logged, told privately. */
  refuse(entry: string, title: string, reason: string): Promise<CommandOutcome>;
  /** The command list, or one command's help. */
  help(command?: string): string;
  /** The policy roles the person has. */
  roles(): string[];
  /** The person's PVE user by the policy's `identities:` (docs/permissions.md), and the mode. */
  pveIdentity(): { identity: PveIdentity; mode: IdentityMode };
  /** Which of `needs` the PVE user `userid` does not meet, as PVE says (cached briefly). */
  missingPrivileges(userid: string, needs: readonly PrivilegeNeed[]): Promise<MissingPrivilege[]>;
  /** The clusters' names when the bot drives several (empty otherwise), and the one this command is for. */
  clusterNames(): readonly string[];
  clusterChosen(): string | undefined;
  /** One named cluster's read (`status` of every cluster). */
  readClusterNamed(cluster: string): Promise<ClusterSnapshot>;
  /** Jobs approved for later that have not started, everyone's. */
  scheduledJobs(): Promise<Array<JobInfo & { schedule: JobSchedule }>>;
  /** Recent jobs: everyone's, or only the person's own. */
  recentJobs(whose: 'everyone' | 'own'): Promise<JobInfo[]>;
  latestAudit(count: number): Promise<AuditRecord[]>;
  /** Cancel (or abort) a job, as the Cancel button does; the public card goes to this command's thread. */
  cancelJob(jobId: string): Promise<void>;
}
