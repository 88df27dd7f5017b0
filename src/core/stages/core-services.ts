// What every stage of the core shares: the ports, and the few ways the core speaks (a private
// answer, an audit record, an approval card, a job's first progress message, a failure told
// without leaking details). One instance per Core.

import type { JobSchedule } from '../../jobs/job-data.js';
import type { JobEvent, ThreadRef } from '../../jobs/job-events.js';
import { type SafetyNetGuest, takesSafetyNet } from '../../jobs/job-kind.js';
import { jobKinds } from '../../jobs/kinds/index.js';
import { requiredPrivileges } from '../../jobs/privileges/required-privileges.js';
import { isStoreUnavailable } from '../../jobs/store-unavailable.js';
import type { ApprovalRequest } from '../approvals/approval-store.js';
import type { ChatUser } from '../chat-event.js';
import { type GateVerdict, PrivilegeGate } from '../identity/privilege-gate.js';
import type { Card } from '../message.js';
import type { CoreOptions } from '../ports.js';
import { renderApprovalCard } from '../render-approval-card.js';
import { progressKey } from '../render-job-event.js';
import { RequestNotPostedError } from '../request-not-posted-error.js';

export interface AuditExtra {
  approvalId?: string;
  jobId?: string;
  upids?: string[];
  result?: 'ok' | 'failed' | 'refused';
}

/** Who asked for a job, under which policy entry and how disruptive it was (see JobData.command). */
export interface JobOrigin {
  user: ChatUser;
  command: string;
  /** Absent: the entry's command's declared risk (a proposal, an approved request). */
  risk?: 'read' | 'disruptive';
  /** The request asked for the safety net itself (`--snapshot`); the policy may ask for it too. */
  snapshotFirst?: boolean;
  /** Approved for later (`--at`, `--window`): the job waits until then. */
  schedule?: JobSchedule;
  /** The cluster it is for, when the bot drives several. */
  cluster?: string;
}

export class CoreServices {
  readonly options: CoreOptions;
  /** PVE's own permissions, for the policy's `identities:` (the only cluster's, or the first's). */
  readonly privileges: PrivilegeGate;
  /** With several clusters, each one's (a PVE user is a user of one cluster). */
  readonly #clusterGates = new Map<string, PrivilegeGate>();

  constructor(options: CoreOptions) {
    this.options = options;
    this.privileges = this.#gate(options.permissions);
  }

  #gate(port: CoreOptions['permissions']): PrivilegeGate {
    return new PrivilegeGate({
      policy: () => this.policy,
      port,
      now: () => this.now(),
      logger: this.options.logger,
    });
  }

  /** The clusters' names, when the bot drives several (PVE_CLUSTERS_FILE); empty otherwise. */
  clusterNames(): string[] {
    return (this.options.clusters ?? []).map((c) => c.name);
  }

  /** The permission gate of one cluster (its PVE users and ACLs). */
  gateFor(cluster: string | undefined): PrivilegeGate {
    const named = cluster === undefined ? undefined : this.options.clusters?.find((c) => c.name === cluster);
    if (!named) return this.privileges;
    let gate = this.#clusterGates.get(named.name);
    if (!gate) {
      gate = this.#gate(named.permissions);
      this.#clusterGates.set(named.name, gate);
    }
    return gate;
  }

  get policy() {
    return this.options.policy;
  }

  now(): number {
    return (this.options.clock ?? Date.now)();
  }

  /** The zone `--at` and the windows are read and shown in: the policy's, else the configured one. */
  get timeZone(): string {
    return (
      this.policy.schedule?.timeZone ??
      this.options.timeZone ??
      Intl.DateTimeFormat().resolvedOptions().timeZone
    );
  }

  /** An answer only `user` sees. */
  tell(thread: ThreadRef, user: ChatUser, card: Card): Promise<void> {
    return this.options.sink.send({ thread, ephemeralTo: user, card });
  }

  /** An audit record; a person the policy maps to a PVE user is recorded with it. */
  async audit(user: ChatUser, action: string, command: string, summary: string, extra: AuditExtra = {}) {
    const identity = this.privileges.identity(user);
    const pveUser = identity.kind === 'mapped' ? { pveUser: identity.userid } : {};
    await this.options.audit.append({ actor: user.id, ...pveUser, action, command, summary, ...extra });
  }

  /**
   * Whether `user`'s PVE user may have `job` run (jobs/privileges), with the safety net's
   * snapshots when `origin` takes it: as its requester, or as an approver.
   */
  mayHaveRun(
    user: ChatUser,
    job: { kind: string; payload: unknown },
    origin: Pick<JobOrigin, 'command' | 'snapshotFirst' | 'cluster'>,
    role: 'requester' | 'approver',
  ): Promise<GateVerdict> {
    const gate = this.gateFor(origin.cluster);
    if (!gate.active) return Promise.resolve({ ok: true });
    const jobKind = jobKinds.get(job.kind);
    let safetyNetGuests: SafetyNetGuest[] = [];
    if (jobKind?.guestsAtRisk && this.wantsSnapshotsFirst(origin)) {
      const parsed = jobKind.payload.safeParse(job.payload);
      if (parsed.success) safetyNetGuests = jobKind.guestsAtRisk(parsed.data);
    }
    const required = requiredPrivileges(job.kind, job.payload, { safetyNetGuests });
    if (!required.ok)
      return Promise.resolve({ ok: false, title: 'Cannot check this request', reason: required.reason });
    return gate.check(user, required.needs, role);
  }

  /**
   * False when this request was handled already (a replay, a redelivery): it is then ignored.
   * Requests without an id (the console) are always new.
   */
  async firstArrival(requestId: string | undefined, user: ChatUser): Promise<boolean> {
    if (requestId === undefined || !this.options.requests) return true;
    if (await this.options.requests.claim(requestId)) return true;
    this.options.logger?.info(
      { requestId, user: user.id },
      'request already handled; this arrival is ignored',
    );
    return false;
  }

  /** A job on `origin`'s behalf, reporting into `thread`. */
  async enqueue(
    origin: JobOrigin,
    thread: ThreadRef,
    job: { kind: string; payload: unknown },
    jobId?: string,
  ): Promise<{ jobId: string; duplicate: boolean }> {
    return this.options.queue.enqueue({
      kind: job.kind,
      payload: job.payload,
      thread,
      requestedBy: origin.user.name,
      requestedById: origin.user.id,
      command: origin.command,
      ...(origin.risk === undefined ? {} : { commandRisk: origin.risk }),
      ...(this.wantsSnapshotsFirst(origin) ? { safetyNet: this.safetyNet() } : {}),
      ...(origin.schedule ? { schedule: origin.schedule } : {}),
      ...(origin.cluster ? { cluster: origin.cluster } : {}),
      ...(jobId === undefined ? {} : { jobId }),
    });
  }

  /**
   * Whether a job for `origin` takes the safety net: asked with `--snapshot`, or its policy entry
   * is in the policy's `snapshots.before`. Kinds that put no guest at risk ignore it.
   */
  wantsSnapshotsFirst(origin: Pick<JobOrigin, 'command' | 'snapshotFirst'>): boolean {
    const before: readonly string[] = this.policy.snapshots?.before ?? [];
    return origin.snapshotFirst === true || before.includes(origin.command);
  }

  /**
   * The line an approval card and a request's description carry when the job will take the
   * safety net; undefined when it will not (not asked, or a kind that puts no guest at risk).
   */
  safetyNetNote(origin: Pick<JobOrigin, 'command' | 'snapshotFirst'>, kind: string): string | undefined {
    const jobKind = jobKinds.get(kind);
    if (!jobKind || !takesSafetyNet(jobKind) || !this.wantsSnapshotsFirst(origin)) return undefined;
    const keep = this.policy.snapshots?.keep;
    return `Safety net: each guest at risk is snapshotted first${keep === undefined ? '' : ` (the bot keeps its newest ${keep} per guest)`}; the result offers Roll back.`;
  }

  /** The safety net a job carries: snapshots first, and the policy's retention after each. */
  safetyNet(): { snapshot: true; keep?: number } {
    const keep = this.policy.snapshots?.keep;
    return { snapshot: true, ...(keep === undefined ? {} : { keep }) };
  }

  /**
   * The job's progress message, before the worker's first word (it is then edited in place).
   * Result-only kinds (the digest) show none.
   */
  async showQueued(thread: ThreadRef, kind: string, jobId: string, schedule?: JobSchedule): Promise<void> {
    if (jobKinds.get(kind)?.resultOnly) return;
    // A job approved for later says when it starts, and can be cancelled until then.
    const phase =
      schedule && schedule.startAt > this.now()
        ? `scheduled: starts ${schedule.startText ?? new Date(schedule.startAt).toISOString()}`
        : 'queued';
    await this.options.sink.send({
      thread,
      key: progressKey(jobId),
      card: {
        title: `${kind} · job ${jobId}`,
        status: 'running',
        progress: { phase },
        ...(phase === 'queued'
          ? {}
          : { buttons: [{ action: 'cancel-job', label: 'Cancel', value: jobId, style: 'danger' as const }] }),
      },
    });
  }

  async showApproval(request: ApprovalRequest, jobId?: string): Promise<void> {
    await this.options.sink.send({
      thread: request.thread,
      key: `approval:${request.id}`,
      describesRequest: true,
      card: renderApprovalCard(request, jobId),
    });
  }

  /** What the person is told when a command or a click failed; the logs get the details. */
  failureCard(error: unknown, what: 'command' | 'click', context: Record<string, unknown>): Card {
    const logger = this.options.logger;
    const message = error instanceof Error ? error.message : String(error);
    if (isStoreUnavailable(error)) {
      logger?.warn({ ...context, error: message }, `${what} not accepted: the job store is unavailable`);
      return {
        title: 'Not accepted: the job store (Redis) is not answering',
        status: 'failed',
        text:
          what === 'command'
            ? 'Nothing will run; try again when it is back.'
            : 'Your click changed nothing and nothing will run; press again when it is back.',
      };
    }
    if (error instanceof RequestNotPostedError) {
      logger?.warn({ ...context, error: message }, 'the command could not be posted; nothing ran');
      return { title: 'Nothing ran', status: 'failed', text: message };
    }
    logger?.error({ ...context, error: message }, `the ${what} failed`);
    return { title: 'That did not work', status: 'failed', text: message };
  }
}

/** A job event's kind as the registry knows it (undefined for a kind this build does not have). */
export function kindOf(event: JobEvent) {
  return jobKinds.get(event.kind);
}
