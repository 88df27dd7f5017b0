// The CommandContext one chat command runs with: what its handler may do, on behalf of the person
// who typed it. It makes the command's public record only once the command passed the grammar
// and the policy (the sink's openRequestThread), and remembers that record, so a failure after it
// is told there too.

import { DEFAULT_BALANCE_SETTINGS } from '../../config/balance-settings.js';
import { DEFAULT_BACKUP_MAX_AGE_DAYS } from '../../config/read-backup-config.js';
import type { JobSchedule } from '../../jobs/job-data.js';
import type { ThreadRef } from '../../jobs/job-events.js';
import { jobIdForRequest } from '../../jobs/job-queue.js';
import type { JobRequest } from '../../jobs/kinds/index.js';
import type { PrivilegeNeed } from '../../jobs/privileges/required-privileges.js';
import type { CommandOutcome } from '../../metrics.js';
import type { GuestRef } from '../../proxmox/guest-ref.js';
import type { ClusterSnapshot } from '../../proxmox/read-cluster-snapshot.js';
import type { SnapshotList } from '../../proxmox/snapshot-api.js';
import { approvalIdFor } from '../approvals/approval-id.js';
import type { ChatEvent } from '../chat-event.js';
import { ClusterChoiceError, whichCluster } from '../clusters/choose-cluster.js';
import type { CommandContext, CommandSettings } from '../commands/command-context.js';
import type { PlannedJob, PlanResult } from '../commands/planned-job.js';
import type { CommandRisk } from '../grammar/define-command.js';
import { helpText } from '../grammar/help-text.js';
import type { Card } from '../message.js';
import {
  approvalRuleFor,
  describeApprovers,
  mayRun,
  mayView,
  type PrivateView,
  rolesOf,
} from '../policy/index.js';
import { RequestNotPostedError } from '../request-not-posted-error.js';
import { describeSchedule } from '../schedule/resolve-schedule.js';
import type { CoreServices, JobOrigin } from './core-services.js';

export interface RequestContextOptions {
  services: CoreServices;
  event: ChatEvent;
  /** The command's name, and the policy entry and risk its arguments are judged under. */
  name: string;
  policyEntry: string;
  risk: CommandRisk;
  /** `--at` / `--window`: the job waits until then (resolve-schedule.ts). */
  schedule?: JobSchedule;
  /** The cluster the command is for, when the bot drives several and one was chosen. */
  cluster?: string;
  /** Every cluster's name, when the bot drives several; empty otherwise. */
  clusters: readonly string[];
  /** One named cluster's read (`status` of all clusters). */
  readAnyCluster: (cluster: string) => Promise<ClusterSnapshot>;
  readCluster: () => Promise<ClusterSnapshot>;
  readSnapshots: (guest: GuestRef) => Promise<SnapshotList>;
  /** Cancel or abort a job (the job-control stage). */
  cancelJob: (
    replyThread: ThreadRef,
    event: ChatEvent,
    jobId: string,
    publicThread: () => Promise<ThreadRef>,
  ) => Promise<void>;
}

export class RequestContext implements CommandContext {
  readonly event: ChatEvent;
  readonly settings: CommandSettings;
  /** The public record's thread, once made. */
  opened: ThreadRef | undefined;
  readonly #o: RequestContextOptions;
  readonly #s: CoreServices;
  readonly #origin: JobOrigin;

  constructor(options: RequestContextOptions) {
    this.#o = options;
    this.#s = options.services;
    this.event = options.event;
    const keep = this.#s.policy.snapshots?.keep;
    this.settings = {
      balance: this.#s.options.balance ?? DEFAULT_BALANCE_SETTINGS,
      backupMaxAgeDays: this.#s.options.backupMaxAgeDays ?? DEFAULT_BACKUP_MAX_AGE_DAYS,
      snapshots: keep === undefined ? {} : { keep },
    };
    this.#origin = {
      user: options.event.user,
      command: options.policyEntry,
      risk: options.risk,
      ...(options.schedule ? { schedule: options.schedule } : {}),
      ...(options.cluster ? { cluster: options.cluster } : {}),
    };
  }

  now(): number {
    return this.#s.now();
  }

  tell(card: Card): Promise<void> {
    return this.#s.tell(this.event.thread, this.event.user, card);
  }

  readCluster(): Promise<ClusterSnapshot> {
    return this.#o.readCluster();
  }

  readSnapshots(guest: GuestRef): Promise<SnapshotList> {
    return this.#o.readSnapshots(guest);
  }

  async read(job: JobRequest): Promise<CommandOutcome> {
    this.#needCluster();
    const thread = await this.openRequestThread();
    const { jobId, duplicate } = await this.#enqueue(thread, job);
    if (!duplicate) await this.#s.showQueued(thread, job.kind, jobId);
    return 'queued';
  }

  /**
   * The command's job. A platform delivery's job id derives from its request id, so the same
   * delivery handled again (another replica took it over after a crash) finds it already there.
   */
  #enqueue(thread: ThreadRef, job: { kind: string; payload: unknown }, origin: JobOrigin = this.#origin) {
    if (origin.cluster === undefined) this.#needCluster();
    const { requestId } = this.event;
    return this.#s.enqueue(
      origin,
      thread,
      job,
      requestId === undefined ? undefined : jobIdForRequest(requestId),
    );
  }

  async request(planned: PlanResult): Promise<CommandOutcome> {
    const { name, policyEntry } = this.#o;
    if (!planned.ok) {
      await this.tell({ title: `Cannot ${name}`, status: 'failed', text: planned.message });
      return 'invalid';
    }
    this.#needCluster();
    const { plan } = planned;
    const { schedule } = this.#o;
    // A planning job runs now; the plan it proposes carries the time (its approval covers both).
    const job = plan.approvalAfterJob
      ? {
          kind: plan.kind,
          payload: { ...plan.payload, requester: this.event.user, ...(schedule ? { schedule } : {}) },
        }
      : plan;
    const origin: JobOrigin =
      !plan.approvalAfterJob && plan.snapshotFirst ? { ...this.#origin, snapshotFirst: true } : this.#origin;
    // What PVE allows the person's own PVE user, before anything is public (policy identities:).
    const verdict = await this.#s.mayHaveRun(this.event.user, job, origin, 'requester');
    if (!verdict.ok) return this.refuse(policyEntry, verdict.title, verdict.reason);
    if (plan.approvalAfterJob) return this.#startPlanning(plan, job);
    const thread = await this.openRequestThread();
    const policy = this.#s.policy;
    const rule = approvalRuleFor(policy, policyEntry, this.#o.risk);
    const { user } = this.event;
    const net = this.#s.safetyNetNote(origin, plan.kind);
    const when = schedule && describeSchedule(schedule, this.#s.now(), this.#s.timeZone);
    const details = [plan.details, net, when].filter(Boolean).join('\n') || undefined;
    if (!rule) {
      const { jobId, duplicate } = await this.#enqueue(thread, plan, origin);
      if (duplicate) return 'queued';
      await this.#s.audit(user, 'request', name, this.#shown(plan.text), { jobId });
      await this.#describeRequest(thread, this.#shown(plan.text), jobId, details);
      await this.#s.showQueued(thread, plan.kind, jobId, schedule);
      return 'queued';
    }
    const { requestId } = this.event;
    const request = await this.#s.options.approvals.open(
      {
        command: policyEntry,
        summary: this.#shown(plan.text),
        ...(details === undefined ? {} : { details }),
        payload: plan.payload,
        jobKind: plan.kind,
        ...(plan.snapshotFirst ? { snapshotFirst: true } : {}),
        ...(schedule ? { schedule } : {}),
        ...(this.#o.cluster ? { cluster: this.#o.cluster } : {}),
        requester: user,
        rule,
        thread,
        approverDescription: describeApprovers(policy, rule),
      },
      // The same delivery handled again opens the same request (its card is then only redrawn).
      requestId === undefined ? {} : { id: approvalIdFor(requestId) },
    );
    await this.#s.audit(user, 'request', name, this.#shown(plan.text), { approvalId: request.id });
    await this.#s.showApproval(request);
    return 'approval';
  }

  /**
   * A command whose plan needs the worker's reads (an upgrade needs the pending updates): the
   * planning job runs at once, and its proposal is what the approval covers (ApprovalStage.propose).
   */
  async #startPlanning(plan: PlannedJob, job: { kind: string; payload: unknown }): Promise<CommandOutcome> {
    const thread = await this.openRequestThread();
    const { user } = this.event;
    // The planning job itself runs now: only what it proposes waits for the scheduled time.
    const { schedule: _later, ...now } = this.#origin;
    const { jobId, duplicate } = await this.#enqueue(thread, job, now);
    if (duplicate) return 'queued';
    await this.#s.audit(user, 'request', this.#o.name, this.#shown(plan.text), { jobId });
    const policy = this.#s.policy;
    const rule = approvalRuleFor(policy, this.#o.policyEntry, this.#o.risk);
    await this.#describeRequest(
      thread,
      this.#shown(plan.text),
      jobId,
      rule
        ? `The plan follows in this thread; nothing changes until ${describeApprovers(policy, rule)} approve it.`
        : 'The plan follows in this thread.',
    );
    await this.#s.showQueued(thread, plan.kind, jobId);
    return 'queued';
  }

  /** With several clusters, a job runs on one: a command that named none is asked which, before anything is public. */
  #needCluster(): void {
    if (this.#o.clusters.length > 1 && this.#o.cluster === undefined)
      throw new ClusterChoiceError(whichCluster(this.#o.clusters));
  }

  /** A request as shown: with several clusters, which one it is for. */
  #shown(text: string): string {
    return this.#o.clusters.length > 1 && this.#o.cluster ? `${text} (cluster ${this.#o.cluster})` : text;
  }

  /** The request, resolved, as its thread's description (on Discord: the request message itself). */
  #describeRequest(thread: ThreadRef, title: string, jobId: string, text?: string): Promise<void> {
    return this.#s.options.sink.send({
      thread,
      describesRequest: true,
      card: {
        title,
        status: 'info',
        ...(text === undefined ? {} : { text }),
        fields: [{ label: 'Requested by', value: this.event.user.name }],
        footer: `job ${jobId}`,
      },
    });
  }

  async runPrivately(job: JobRequest, card: (jobId: string) => Card): Promise<CommandOutcome> {
    this.#needCluster();
    const { jobId, duplicate } = await this.#enqueue(this.event.thread, job);
    if (!duplicate) await this.tell(card(jobId));
    return 'queued';
  }

  mayView(view: PrivateView) {
    return mayView(this.#s.policy, this.event.user, view, this.event.channel);
  }

  /** May the person run the command under `entry` here? (The pipeline's gate.) */
  mayRun(entry: string) {
    return mayRun(this.#s.policy, this.event.user, entry, this.event.channel, this.#o.risk);
  }

  /** A refusal: audited, logged with the policy's source (a file's path stays in the logs), told privately. */
  async refuse(entry: string, title: string, reason: string): Promise<CommandOutcome> {
    const { user, channel } = this.event;
    this.#s.options.logger?.info(
      { user: user.id, command: entry, channel, policy: this.#s.policy.source },
      'refused by the policy',
    );
    await this.#s.audit(user, 'refused', entry, `${entry} refused: ${reason.split('\n')[0]}`, {
      result: 'refused',
    });
    await this.tell({ title, status: 'denied', text: reason });
    return 'refused';
  }

  help(command?: string): string {
    return helpText(command);
  }

  roles(): string[] {
    return rolesOf(this.#s.policy, this.event.user);
  }

  pveIdentity() {
    return {
      identity: this.#s.privileges.identity(this.event.user),
      mode: this.#s.policy.identities?.mode ?? ('off' as const),
    };
  }

  missingPrivileges(userid: string, needs: readonly PrivilegeNeed[]) {
    return this.#s.privileges.missing(userid, needs);
  }

  clusterNames(): readonly string[] {
    return this.#o.clusters;
  }

  clusterChosen(): string | undefined {
    return this.#o.cluster;
  }

  readClusterNamed(cluster: string): Promise<ClusterSnapshot> {
    return this.#o.readAnyCluster(cluster);
  }

  async scheduledJobs() {
    // Delayed jobs are also the ones between slices; a scheduled job carries its schedule.
    const delayed = await this.#s.options.queue.list(['delayed', 'waiting'], 500);
    return delayed.filter(
      (j): j is typeof j & { schedule: JobSchedule } => j.schedule !== undefined && j.startedAt === undefined,
    );
  }

  async recentJobs(whose: 'everyone' | 'own') {
    const queue = this.#s.options.queue;
    if (whose === 'everyone') return queue.list();
    // By id: a display name can be taken by anyone. Looking further back finds one's own among others'.
    return (await queue.list(undefined, 200))
      .filter((j) => j.requestedById === this.event.user.id)
      .slice(0, 20);
  }

  latestAudit(count: number) {
    return this.#s.options.audit.latest(count);
  }

  cancelJob(jobId: string): Promise<void> {
    return this.#o.cancelJob(this.event.thread, this.event, jobId, () => this.openRequestThread());
  }

  /**
   * The command's public record, made only once it passed the grammar and the policy: the thread
   * everything public about it goes to. Sinks without one (the console) use the event's thread.
   */
  async openRequestThread(): Promise<ThreadRef> {
    if (this.opened) return this.opened;
    const sink = this.#s.options.sink;
    if (!sink.openRequestThread) return this.event.thread;
    try {
      this.opened = await sink.openRequestThread(this.event);
      return this.opened;
    } catch (error) {
      throw new RequestNotPostedError(error);
    }
  }
}
