// The command pipeline, independent of any chat platform: once per request → parse → policy →
// resolve → public record → approval or enqueue → audit, and the answers to button presses and job
// events. Adapters call handle() and press(); everything the core says goes through the ChatSink.
// Until a command has passed the grammar and the policy, whatever the core says is private to the
// person; only then does it ask the sink for the command's public record (openRequestThread).
import { type BalanceSettings, DEFAULT_BALANCE_SETTINGS } from '../config/balance-settings.js';
import type { JobEvent, ResultEvent, ThreadRef } from '../jobs/job-events.js';
import { type JobQueue, jobIdForApproval } from '../jobs/job-queue.js';
import { isStoreUnavailable } from '../jobs/store-unavailable.js';
import type { Logger } from '../logger.js';
import type { CommandOutcome, Metrics } from '../metrics.js';
import type { ClusterSnapshot } from '../proxmox/read-cluster-snapshot.js';
import type { GuestResource } from '../proxmox/schemas/cluster-schemas.js';
import type { ApprovalRequest, ApprovalStore } from './approvals/approval-store.js';
import type { AuditLog } from './audit/audit-log.js';
import type { ChatEvent, ChatUser } from './chat-event.js';
import { ClusterDirectory, type Suggestion, type SuggestionKind } from './cluster-directory.js';
import type { ButtonPress, CoreApi } from './core-api.js';
import { describeNodeLoads, nodeLoadsSchema } from './digest/node-loads.js';
import { renderClusterChart } from './digest/render-cluster-chart.js';
import { helpText } from './grammar/help-text.js';
import { commandRisk, type ParseResult, parseCommand } from './grammar/index.js';
import type { Attachment, Card, ChatSink } from './message.js';
import { type CommandArgs, type PlannedJob, planCommand } from './plan-command.js';
import {
  approvalRuleFor,
  describeApprovers,
  mayApprove,
  mayRun,
  mayView,
  type Policy,
  rolesOf,
} from './policy/index.js';
import { isPrivateJob, KINDS_WITH_PRIVATE_RESULTS } from './private-results.js';
import { renderApprovalCard } from './render-approval-card.js';
import { isSilentResult, progressKey, renderJobEvent } from './render-job-event.js';
import type { RequestLedger } from './request-ledger.js';
import { RequestNotPostedError } from './request-not-posted-error.js';
import { resolveGuest } from './resolve-guest.js';

/** The worker's own jobs (the scheduled digest, the HA watch) are audited under this actor. */
const SCHEDULED_ACTOR: ChatUser = { id: 'worker', name: 'worker', groups: [] };

export interface CoreOptions {
  queue: JobQueue;
  approvals: ApprovalStore;
  audit: AuditLog;
  policy: Policy;
  sink: ChatSink;
  /** One read of the whole cluster (resources and status) for name resolution. */
  readCluster: () => Promise<ClusterSnapshot>;
  /** The names for autocomplete; by default one fed by readCluster. */
  directory?: ClusterDirectory;
  logger?: Logger;
  clock?: () => number;
  /** The operator's balance defaults (BALANCE_*); the built-in ones when absent. */
  balance?: BalanceSettings;
  /** Counts commands by name and outcome, and approval decisions; nothing without it. */
  metrics?: Metrics | undefined;
  /**
   * Remembers which platform requests were handled (ChatEvent and ButtonPress `requestId`), so a
   * replayed or redelivered one does nothing. Its claim is also the first write of a request:
   * when Redis is down, the person hears so before anything is posted in public. Without it,
   * every arrival is handled.
   */
  requests?: RequestLedger | undefined;
}

export class Core implements CoreApi {
  readonly #o: CoreOptions;
  readonly #directory: ClusterDirectory;
  /** Charts drawn per digest job: one digest goes to several channels, drawn once. */
  readonly #charts = new Map<string, Promise<Attachment | undefined>>();
  /** The public thread opened for a command being handled, so a failure after it is told there too. */
  readonly #opened = new WeakMap<ChatEvent, ThreadRef>();

  constructor(options: CoreOptions) {
    this.#o = options;
    this.#directory = options.directory ?? new ClusterDirectory({ readCluster: options.readCluster });
  }

  suggest(kind: SuggestionKind, typed: string): Promise<Suggestion[]> {
    return this.#directory.suggest(kind, typed);
  }

  /** One cluster read, whose names also refresh the directory. */
  async #readCluster(): Promise<ClusterSnapshot> {
    const snapshot = await this.#o.readCluster();
    this.#directory.remember(snapshot);
    return snapshot;
  }

  async handle(event: ChatEvent): Promise<void> {
    let command = 'unknown';
    try {
      // Parsing first only names the command for the metrics; nothing is said or written before the claim.
      const parsed = parseCommand(event.text);
      if (parsed.ok) command = parsed.command.name;
      if (!(await this.#firstArrival(event.requestId, event.user))) return;
      const outcome = await this.#handle(event, parsed);
      this.#o.metrics?.countCommand(command, outcome);
    } catch (error) {
      this.#o.metrics?.countCommand(command, isStoreUnavailable(error) ? 'unavailable' : 'error');
      // The person gets a reply whatever happened, privately; the details stay in the logs.
      const card = this.#failureCard(error, 'command', { command });
      await this.#tell(event.thread, event.user, card);
      // Its public record was already made (the store failed after it): the channel is told too,
      // so "ran `/pve stop`" does not stand there as if something ran.
      // (A sink with no public record, the console, hands back the event's own thread: nothing to add.)
      const opened = this.#opened.get(event);
      if (opened && opened !== event.thread) await this.#o.sink.send({ thread: opened, notify: true, card });
    } finally {
      this.#opened.delete(event);
    }
  }

  /**
   * False when this request was handled already (a replay, a redelivery): it is then ignored.
   * Requests without an id (the console) are always new.
   */
  async #firstArrival(requestId: string | undefined, user: ChatUser): Promise<boolean> {
    if (requestId === undefined || !this.#o.requests) return true;
    if (await this.#o.requests.claim(requestId)) return true;
    this.#o.logger?.info({ requestId, user: user.id }, 'request already handled; this arrival is ignored');
    return false;
  }

  /** What the person is told when a command or a click failed; the logs get the details. */
  #failureCard(error: unknown, what: 'command' | 'click', context: Record<string, unknown>): Card {
    const message = error instanceof Error ? error.message : String(error);
    if (isStoreUnavailable(error)) {
      this.#o.logger?.warn(
        { ...context, error: message },
        `${what} not accepted: the job store is unavailable`,
      );
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
      this.#o.logger?.warn({ ...context, error: message }, 'the command could not be posted; nothing ran');
      return { title: 'Nothing ran', status: 'failed', text: message };
    }
    this.#o.logger?.error({ ...context, error: message }, `the ${what} failed`);
    return { title: 'That did not work', status: 'failed', text: message };
  }

  /**
   * The command's public record, made only once it passed the grammar and the policy: the thread
   * everything public about it goes to. Sinks without one (the console) use the event's thread.
   */
  async #openRequestThread(event: ChatEvent): Promise<ThreadRef> {
    if (!this.#o.sink.openRequestThread) return event.thread;
    try {
      const thread = await this.#o.sink.openRequestThread(event);
      this.#opened.set(event, thread);
      return thread;
    } catch (error) {
      throw new RequestNotPostedError(error);
    }
  }

  async #handle(event: ChatEvent, parsed: ParseResult): Promise<CommandOutcome> {
    if (!parsed.ok) {
      await this.#tell(event.thread, event.user, {
        title: parsed.error,
        status: 'failed',
        text: parsed.help,
      });
      return 'invalid';
    }
    const { name, args } = parsed.command as { name: string; args: Record<string, unknown> };
    // `ha` only looks unless it adds or removes a resource.
    const risk = name === 'ha' && args.action === 'status' ? 'read' : commandRisk(name);
    // Anyone may list their own jobs; the policy's `jobs` entry says who sees everyone's (#jobs).
    // Join-info is granted by its own entry alone (#joinInfo), whatever `cluster` or `*` say.
    const ownEntryDecides = name === 'jobs' || (name === 'cluster' && args.view === 'join-info');
    const allowed = ownEntryDecides
      ? { ok: true as const }
      : mayRun(this.#o.policy, event.user, name, event.channel, risk);
    if (!allowed.ok) return this.#refuse(event, name, `You may not run ${name} here`, allowed.reason);
    switch (name) {
      case 'help':
        await this.#tell(event.thread, event.user, {
          title: 'pve-chatops',
          status: 'info',
          text: helpText(args.command as string | undefined),
        });
        return 'answered';
      case 'whoami':
        await this.#whoami(event);
        return 'answered';
      case 'jobs':
        await this.#jobs(event);
        return 'answered';
      case 'cancel':
        await this.#cancelJob(event.thread, event.user, String(args.job), () =>
          this.#openRequestThread(event),
        );
        return 'answered';
      case 'audit':
        return this.#showAudit(event, Number(args.n ?? 10));
      case 'status':
        return this.#status(event, args.target as string | undefined);
      case 'cluster':
        if (args.view === 'join-info') return this.#joinInfo(event);
        return this.#read(event, 'cluster', { view: args.view });
      case 'ha':
        if (args.action !== 'status') return this.#request(event, name, args as CommandArgs);
        return this.#read(event, 'ha', {});
      case 'replication':
        // Reading the jobs, or running one now (it only brings its next scheduled run forward).
        return this.#read(event, 'replication', {
          action: args.action,
          ...(args.id === undefined ? {} : { id: args.id }),
        });
      case 'digest':
        // A digest posts only its result (no progress message).
        await this.#enqueueFor(event, await this.#openRequestThread(event), 'digest', { scheduled: false });
        return 'queued';
      default:
        return this.#request(event, name, args as CommandArgs);
    }
  }

  /** A refusal: audited, logged with the policy's source (a file's path stays in the logs), told privately. */
  async #refuse(event: ChatEvent, command: string, title: string, reason: string): Promise<CommandOutcome> {
    this.#o.logger?.info(
      { user: event.user.id, command, channel: event.channel, policy: this.#o.policy.source },
      'refused by the policy',
    );
    await this.#audit(event.user, 'refused', command, `${command} refused: ${reason.split('\n')[0]}`, {
      result: 'refused',
    });
    await this.#tell(event.thread, event.user, { title, status: 'denied', text: reason });
    return 'refused';
  }

  async press(press: ButtonPress): Promise<void> {
    try {
      if (!(await this.#firstArrival(press.requestId, press.user))) return;
      if (press.action === 'approve' || press.action === 'deny') return await this.#decide(press);
      if (press.action === 'cancel-request') return await this.#cancelRequest(press);
      if (press.action === 'cancel-job')
        return await this.#cancelJob(press.thread, press.user, press.value, async () => press.thread);
      if (press.action === 'pause-job') return await this.#controlJob(press, 'pause');
      if (press.action === 'resume-job') return await this.#controlJob(press, 'resume');
      if (press.action === 'abort-job') return await this.#controlJob(press, 'abort');
      await this.#tell(press.thread, press.user, {
        title: `Unknown button '${press.action}'`,
        status: 'failed',
      });
    } catch (error) {
      await this.#tell(
        press.thread,
        press.user,
        this.#failureCard(error, 'click', { action: press.action, value: press.value }),
      );
    }
  }

  /**
   * A job's progress or result from the outbox: rendered for the thread, results audited under
   * the person who asked (the worker's own scheduled jobs under `worker`). A private job's result
   * (cluster join-info) goes to its requester alone, and its progress nowhere.
   */
  async onJobEvent(thread: ThreadRef, event: JobEvent): Promise<void> {
    // A watch that saw nothing (every 30 s) is neither shown nor audited.
    if (isSilentResult(event)) return;
    const job =
      event.type === 'result' || KINDS_WITH_PRIVATE_RESULTS.has(event.kind)
        ? (await this.#o.queue.queue.getJob(event.jobId))?.data
        : undefined;
    const requester: ChatUser | undefined =
      job?.requestedById === undefined
        ? undefined
        : { id: job.requestedById, name: job.requestedBy, groups: [] };
    // The audit first: the record exists by the time anyone reads the result.
    if (event.type === 'result') {
      await this.#audit(requester ?? SCHEDULED_ACTOR, 'job-result', event.kind, event.summary, {
        jobId: event.jobId,
        result: event.ok ? 'ok' : 'failed',
        ...(event.upid ? { upids: [event.upid] } : {}),
      });
    }
    // A job gone from the queue cannot say whether it was private: say nothing rather than too much.
    if (KINDS_WITH_PRIVATE_RESULTS.has(event.kind) && (!job || isPrivateJob(event.kind, job.payload))) {
      if (event.type !== 'result') return;
      const result = renderJobEvent(thread, event).find((message) => message.notify);
      if (!requester || !result) {
        this.#o.logger?.warn(
          { jobId: event.jobId, kind: event.kind },
          'private result without a requester; not shown',
        );
        return;
      }
      await this.#o.sink.send({ thread, card: result.card, ephemeralTo: requester });
      return;
    }
    for (const message of renderJobEvent(thread, event)) {
      // The digest's picture is drawn here, in the bot, from the numbers the job sent.
      const chart = message.notify && event.type === 'result' ? await this.#chartOf(event) : undefined;
      await this.#o.sink.send(chart ? { ...message, attachments: [chart] } : message);
    }
    if (event.type === 'result' && event.ok && event.proposal) await this.#propose(thread, event);
  }

  async #request(event: ChatEvent, name: string, args: CommandArgs): Promise<CommandOutcome> {
    const snapshot = await this.#readCluster();
    const planned = planCommand(name, args, snapshot, {
      balance: this.#o.balance ?? DEFAULT_BALANCE_SETTINGS,
    });
    if (!planned.ok) {
      await this.#tell(event.thread, event.user, {
        title: `Cannot ${name}`,
        status: 'failed',
        text: planned.message,
      });
      return 'invalid';
    }
    const { plan } = planned;
    if (plan.approvalAfterJob) {
      await this.#startPlanning(event, await this.#openRequestThread(event), name, plan);
      return 'queued';
    }
    // Forcing a node down past its guests is a policy entry of its own (`node-force`): who may,
    // and with how many approvals, is the policy's to say.
    const policyName = name === 'node' && args.force ? 'node-force' : name;
    if (policyName !== name) {
      const allowed = mayRun(this.#o.policy, event.user, policyName, event.channel, 'disruptive');
      if (!allowed.ok) return this.#refuse(event, policyName, `You may not force ${name}`, allowed.reason);
    }
    const thread = await this.#openRequestThread(event);
    const rule = approvalRuleFor(this.#o.policy, policyName, commandRisk(name));
    if (!rule) {
      const jobId = await this.#enqueueFor(event, thread, plan.kind, plan.payload);
      await this.#audit(event.user, 'request', name, plan.text, { jobId });
      await this.#o.sink.send({
        thread,
        describesRequest: true,
        card: {
          title: plan.text,
          status: 'info',
          fields: [{ label: 'Requested by', value: event.user.name }],
          footer: `job ${jobId}`,
        },
      });
      await this.#queued(thread, plan.kind, jobId);
      return 'queued';
    }
    const request = await this.#o.approvals.open({
      command: name,
      summary: plan.text,
      payload: plan.payload,
      jobKind: plan.kind,
      requester: event.user,
      rule,
      thread,
      approverDescription: describeApprovers(this.#o.policy, rule),
    });
    await this.#audit(event.user, 'request', name, plan.text, { approvalId: request.id });
    await this.#showApproval(request);
    return 'approval';
  }

  /** The digest's chart of CPU, memory and guests per node; none when drawing fails (the text still goes). */
  #chartOf(event: ResultEvent): Promise<Attachment | undefined> {
    if (event.kind !== 'digest' || !event.ok) return Promise.resolve(undefined);
    let chart = this.#charts.get(event.jobId);
    if (!chart) {
      chart = this.#drawChart(event);
      this.#charts.set(event.jobId, chart);
      for (const old of [...this.#charts.keys()].slice(0, -8)) this.#charts.delete(old);
    }
    return chart;
  }

  async #drawChart(event: ResultEvent): Promise<Attachment | undefined> {
    const nodes = nodeLoadsSchema.safeParse(event.details?.nodes);
    if (!nodes.success || nodes.data.length === 0) return undefined;
    try {
      const day = new Date(event.at).toISOString().slice(0, 10);
      return {
        name: `cluster-${day}.png`,
        contentType: 'image/png',
        data: await renderClusterChart(nodes.data),
        alt: describeNodeLoads(nodes.data),
      };
    } catch (error) {
      this.#o.logger?.warn(
        { jobId: event.jobId, error: error instanceof Error ? error.message : String(error) },
        'cannot draw the digest chart; the digest goes without it',
      );
      return undefined;
    }
  }

  /**
   * A command whose plan needs the worker's reads (an upgrade needs the pending updates): the
   * planning job runs at once, and its proposal is what the approval covers (#propose).
   */
  async #startPlanning(event: ChatEvent, thread: ThreadRef, name: string, plan: PlannedJob): Promise<void> {
    const jobId = await this.#enqueueFor(event, thread, plan.kind, {
      ...plan.payload,
      requester: event.user,
    });
    await this.#audit(event.user, 'request', name, plan.text, { jobId });
    const rule = approvalRuleFor(this.#o.policy, name, commandRisk(name));
    await this.#o.sink.send({
      thread,
      describesRequest: true,
      card: {
        title: plan.text,
        status: 'info',
        text: rule
          ? `The plan follows in this thread; nothing changes until ${describeApprovers(this.#o.policy, rule)} approve it.`
          : 'The plan follows in this thread.',
        fields: [{ label: 'Requested by', value: event.user.name }],
        footer: `job ${jobId}`,
      },
    });
    await this.#queued(thread, plan.kind, jobId);
  }

  /**
   * A job's proposal (an upgrade plan) goes through the policy like a typed command: approved by
   * whom the rule names, or run at once without a rule. Ids derive from the proposing job, so a
   * redelivered result never asks twice nor runs twice.
   */
  async #propose(thread: ThreadRef, event: ResultEvent): Promise<void> {
    const proposal = event.proposal!;
    const requester = proposal.requester;
    const rule = approvalRuleFor(this.#o.policy, proposal.command, commandRisk(proposal.command));
    const derivedId = `p-${event.jobId.replace(/[^A-Za-z0-9_-]/g, '-')}`.slice(0, 64);
    if (!rule) {
      const { jobId, duplicate } = await this.#o.queue.enqueue({
        kind: proposal.jobKind,
        payload: proposal.payload,
        thread,
        requestedBy: requester.name,
        requestedById: requester.id,
        jobId: jobIdForApproval(derivedId),
      });
      if (duplicate) return;
      await this.#audit(requester, 'request', proposal.command, proposal.summary, { jobId });
      await this.#queued(thread, proposal.jobKind, jobId);
      return;
    }
    const request = await this.#o.approvals.open(
      {
        command: proposal.command,
        summary: proposal.summary,
        ...(event.text ? { details: event.text } : {}),
        payload: proposal.payload,
        jobKind: proposal.jobKind,
        requester,
        rule,
        thread,
        approverDescription: describeApprovers(this.#o.policy, rule),
      },
      { id: derivedId },
    );
    if (request.status !== 'pending' || request.approvals.length > 0) return;
    await this.#audit(requester, 'request', proposal.command, proposal.summary, { approvalId: request.id });
    await this.#showApproval(request);
  }

  /** Pause, Resume or Abort a job that stops only between its steps. */
  async #controlJob(press: ButtonPress, action: 'pause' | 'resume' | 'abort'): Promise<void> {
    const jobId = press.value;
    const job = await this.#o.queue.get(jobId);
    if (!job) {
      await this.#tell(press.thread, press.user, { title: `No job ${jobId}`, status: 'failed' });
      return;
    }
    if (!this.#mayStop(press.user, job)) {
      await this.#tell(press.thread, press.user, {
        title: `You may not ${action} job ${jobId}`,
        status: 'denied',
        text: `Only ${job.requestedBy} or an approver of ${job.kind} may.`,
      });
      return;
    }
    const outcome = await this.#o.queue.control(jobId, action, press.user.name);
    if (outcome.status !== 'set') {
      await this.#tell(press.thread, press.user, {
        title: `Job ${jobId} cannot be ${action === 'abort' ? 'aborted' : `${action}d`}`,
        status: 'denied',
        text:
          outcome.status === 'finished'
            ? `It has already ${outcome.state}.`
            : outcome.status === 'not-controllable'
              ? `A ${outcome.kind} job can only be cancelled.`
              : 'It no longer exists.',
      });
      return;
    }
    if (outcome.control?.action === 'abort' && action !== 'abort') {
      await this.#tell(press.thread, press.user, {
        title: `Job ${jobId} is already being aborted`,
        status: 'denied',
        text: `${outcome.control.by} aborted it; it stops before its next step.`,
      });
      return;
    }
    await this.#audit(press.user, action, job.kind, `${action} job ${jobId}`, { jobId });
    const effect =
      outcome.control?.action === 'abort'
        ? 'It stops before its next step and leaves no node in maintenance.'
        : action === 'pause'
          ? 'It stops before its next step and waits for Resume.'
          : 'It goes on.';
    await this.#o.sink.send({
      thread: press.thread,
      card: {
        title: `${action === 'abort' ? 'Abort' : action === 'pause' ? 'Pause' : 'Resume'} of job ${jobId} (${job.kind}) by ${press.user.name}`,
        status: 'info',
        text: effect,
      },
    });
  }

  /** The requester may stop their job, and so may whoever could have approved its command. */
  #mayStop(user: ChatUser, job: { kind: string; requestedBy: string; requestedById?: string }): boolean {
    const rule = approvalRuleFor(this.#o.policy, job.kind, commandRisk(job.kind));
    // By id: a display name (a Discord nickname) can be taken by anyone. Jobs queued before ids
    // were recorded fall back to the name.
    const mine =
      job.requestedById !== undefined ? job.requestedById === user.id : job.requestedBy === user.name;
    return mine || (rule !== undefined && mayApprove(this.#o.policy, rule, user));
  }

  async #decide(press: ButtonPress): Promise<void> {
    const request = await this.#o.approvals.get(press.value);
    if (!request) {
      await this.#tell(press.thread, press.user, {
        title: `No approval request ${press.value}`,
        status: 'failed',
      });
      return;
    }
    const decision = press.action === 'approve' ? 'approve' : 'deny';
    const allowed = mayApprove(this.#o.policy, request.rule, press.user);
    const result = await this.#o.approvals.decide(request.id, press.user, decision, allowed);
    if (result.outcome === 'closed' && decision === 'approve' && allowed) {
      if (await this.#queueApprovedWithoutJob(result.request, press)) return;
    }
    if (result.outcome === 'refused' || result.outcome === 'closed') {
      await this.#tell(press.thread, press.user, {
        title: result.outcome === 'refused' ? 'Your click changed nothing' : 'This request is already closed',
        status: 'denied',
        text: result.reason ?? `It is ${result.request.status}.`,
      });
      return;
    }
    await this.#audit(press.user, decision, request.command, `${decision} ${request.summary}`, {
      approvalId: request.id,
    });
    // `recorded` (one of several approvals needed) decides nothing yet.
    if (result.outcome === 'approved' || result.outcome === 'denied')
      this.#o.metrics?.countApproval(request.command, result.outcome);
    if (result.outcome === 'approved') {
      await this.#enqueueApproved(result.request);
      return;
    }
    await this.#showApproval(result.request);
  }

  /**
   * An approved request whose job was never queued: Redis recorded the approval but failed before
   * (or instead of) the enqueue, and the approver was told "not accepted". Another press by an
   * approver, before the request's own expiry, queues it now (under the same job id, so never
   * twice). After the expiry nothing is queued: a late approval of an old plan would run late.
   */
  async #queueApprovedWithoutJob(request: ApprovalRequest, press: ButtonPress): Promise<boolean> {
    if (request.status !== 'approved' || (this.#o.clock ?? Date.now)() >= request.expiresAt) return false;
    const jobId = jobIdForApproval(request.id);
    if (await this.#o.queue.get(jobId)) return false;
    await this.#enqueueApproved(request);
    await this.#audit(press.user, 'approve', request.command, `queued approved ${request.summary}`, {
      approvalId: request.id,
      jobId,
    });
    return true;
  }

  async #enqueueApproved(request: ApprovalRequest): Promise<void> {
    const { jobId } = await this.#o.queue.enqueue({
      kind: request.jobKind,
      payload: request.payload,
      thread: request.thread,
      requestedBy: request.requester.name,
      requestedById: request.requester.id,
      jobId: jobIdForApproval(request.id),
    });
    await this.#showApproval(request, jobId);
    await this.#queued(request.thread, request.jobKind, jobId);
  }

  async #cancelRequest(press: ButtonPress): Promise<void> {
    const result = await this.#o.approvals.cancel(press.value, press.user);
    if (result.outcome !== 'cancelled') {
      await this.#tell(press.thread, press.user, {
        title: 'Your click changed nothing',
        status: 'denied',
        text: result.reason ?? `It is ${result.request.status}.`,
      });
      return;
    }
    await this.#audit(press.user, 'cancel', result.request.command, `cancelled ${result.request.summary}`, {
      approvalId: result.request.id,
    });
    this.#o.metrics?.countApproval(result.request.command, 'cancelled');
    await this.#showApproval(result.request);
  }

  /**
   * Cancel (or abort) a job. What only the person needs to know goes to `replyThread`; the public
   * card to the thread `publicThread` opens, only once the cancel is going ahead.
   */
  async #cancelJob(
    replyThread: ThreadRef,
    user: ChatUser,
    jobId: string,
    publicThread: () => Promise<ThreadRef>,
  ): Promise<void> {
    const job = await this.#o.queue.get(jobId);
    if (!job) {
      await this.#tell(replyThread, user, {
        title: `No job ${jobId}`,
        status: 'failed',
        text: 'Type `jobs` to see the recent ones.',
      });
      return;
    }
    if (!this.#mayStop(user, job)) {
      await this.#tell(replyThread, user, {
        title: `You may not cancel job ${jobId}`,
        status: 'denied',
        text: `Only ${job.requestedBy} or an approver of ${job.kind} may cancel it.`,
      });
      return;
    }
    const thread = await publicThread();
    // A job that may stop only between steps (an upgrade mid dist-upgrade) is aborted, not killed.
    const controlled = await this.#o.queue.control(jobId, 'abort', user.name);
    if (controlled.status === 'set') {
      await this.#audit(user, 'abort', job.kind, `abort job ${jobId}`, { jobId });
      await this.#o.sink.send({
        thread,
        card: {
          title: `Abort of job ${jobId} (${job.kind}) by ${user.name}`,
          status: 'info',
          text: 'It stops before its next step and leaves no node in maintenance.',
        },
      });
      return;
    }
    const outcome = await this.#o.queue.cancel(jobId, user.name);
    await this.#audit(user, 'cancel', job.kind, `cancel job ${jobId} (${outcome.status})`, { jobId });
    const text =
      outcome.status === 'cancelling'
        ? 'It is running: its worker stops the PVE task now and reports the result here.'
        : outcome.status === 'cancelled'
          ? 'It had not started; nothing ran.'
          : outcome.status === 'finished'
            ? `It has already ${outcome.state}.`
            : 'It no longer exists.';
    await this.#o.sink.send({
      thread,
      card: { title: `Cancel job ${jobId} (${job.kind}) by ${user.name}`, status: 'info', text },
    });
  }

  async #status(event: ChatEvent, target: string | undefined): Promise<CommandOutcome> {
    let payload: Record<string, unknown> = {};
    if (target !== undefined) {
      const snapshot = await this.#readCluster();
      const node = snapshot.status.nodes.find((n) => n.name.toLowerCase() === target.toLowerCase());
      if (node) payload = { node: node.name };
      else {
        const guests = snapshot.resources.filter(
          (r): r is GuestResource => r.type === 'qemu' || r.type === 'lxc',
        );
        const found = resolveGuest(guests, target);
        if (!found.ok) {
          const nodes = snapshot.status.nodes.map((n) => n.name).join(', ');
          await this.#tell(event.thread, event.user, {
            title: `Cannot show ${target}`,
            status: 'failed',
            text: `${found.message} Nodes: ${nodes}.`,
          });
          return 'invalid';
        }
        payload = { vmid: found.guest.vmid };
      }
    }
    return this.#read(event, 'status', payload);
  }

  /** A job asked for in a chat event, on that person's behalf, reporting into `thread`. */
  async #enqueueFor(event: ChatEvent, thread: ThreadRef, kind: string, payload: unknown): Promise<string> {
    const { jobId } = await this.#o.queue.enqueue({
      kind,
      payload,
      thread,
      requestedBy: event.user.name,
      requestedById: event.user.id,
    });
    return jobId;
  }

  /** A read command: its job at once, with its progress message. */
  async #read(event: ChatEvent, kind: string, payload: unknown): Promise<CommandOutcome> {
    const thread = await this.#openRequestThread(event);
    await this.#queued(thread, kind, await this.#enqueueFor(event, thread, kind, payload));
    return 'queued';
  }

  /**
   * `cluster join-info`: node addresses and certificate fingerprints, for the people the policy's
   * `cluster-join-info` entry names, answered to them alone (no public record, no progress).
   */
  async #joinInfo(event: ChatEvent): Promise<CommandOutcome> {
    const allowed = mayView(this.#o.policy, event.user, 'cluster-join-info', event.channel);
    if (!allowed.ok)
      return this.#refuse(event, 'cluster-join-info', 'You may not see the join information', allowed.reason);
    const jobId = await this.#enqueueFor(event, event.thread, 'cluster', { view: 'join-info' });
    await this.#tell(event.thread, event.user, {
      title: `cluster join-info · job ${jobId}`,
      status: 'running',
      text: 'Reading what a new node needs to join; only you will see the answer.',
    });
    return 'queued';
  }

  /** The job's progress message, before the worker's first word (it is then edited in place). */
  #queued(thread: ThreadRef, kind: string, jobId: string): Promise<void> {
    return this.#o.sink.send({
      thread,
      key: progressKey(jobId),
      card: { title: `${kind} · job ${jobId}`, status: 'running', progress: { phase: 'queued' } },
    });
  }

  async #whoami(event: ChatEvent): Promise<void> {
    const roles = rolesOf(this.#o.policy, event.user);
    await this.#tell(event.thread, event.user, {
      title: `You are ${event.user.name}`,
      status: 'info',
      fields: [
        { label: 'Identity', value: event.user.id },
        { label: 'Groups', value: event.user.groups.join(', ') || 'none' },
        { label: 'Roles', value: roles.join(', ') || 'none' },
      ],
    });
  }

  /** The recent jobs: everyone's for whom the policy's `jobs` entry names, otherwise one's own. */
  async #jobs(event: ChatEvent): Promise<void> {
    const everyone = mayView(this.#o.policy, event.user, 'jobs', event.channel);
    // By id: a display name can be taken by anyone. Looking further back finds one's own among others'.
    const jobs = everyone.ok
      ? await this.#o.queue.list()
      : (await this.#o.queue.list(undefined, 200))
          .filter((j) => j.requestedById === event.user.id)
          .slice(0, 20);
    const list =
      jobs.length === 0
        ? 'No recent jobs.'
        : jobs
            .map(
              (j) =>
                `\`${j.jobId}\` ${j.kind} · ${j.state} · by ${j.requestedBy}${j.summary ? ` · ${j.summary}` : ''}`,
            )
            .join('\n');
    const text = everyone.ok ? list : `${list}\n\nOnly yours. ${everyone.reason}`;
    await this.#tell(event.thread, event.user, {
      title: everyone.ok ? 'Recent jobs' : 'Your recent jobs',
      status: 'info',
      text,
    });
  }

  async #showAudit(event: ChatEvent, count: number): Promise<CommandOutcome> {
    const allowed = mayView(this.#o.policy, event.user, 'audit', event.channel);
    if (!allowed.ok) return this.#refuse(event, 'audit', 'The audit log is private', allowed.reason);
    const records = await this.#o.audit.latest(count);
    const text = records
      .map(
        (r) => `#${r.seq} ${new Date(r.at).toISOString().slice(0, 19)}Z ${r.actor} ${r.action}: ${r.summary}`,
      )
      .join('\n');
    await this.#tell(event.thread, event.user, {
      title: `Audit log, newest ${records.length}`,
      status: 'info',
      text: text || 'empty',
    });
    return 'answered';
  }

  async #showApproval(request: ApprovalRequest, jobId?: string): Promise<void> {
    await this.#o.sink.send({
      thread: request.thread,
      key: `approval:${request.id}`,
      describesRequest: true,
      card: renderApprovalCard(request, jobId),
    });
  }

  #tell(thread: ThreadRef, user: ChatUser, card: Card): Promise<void> {
    return this.#o.sink.send({ thread, ephemeralTo: user, card });
  }

  async #audit(
    user: ChatUser,
    action: string,
    command: string,
    summary: string,
    extra: {
      approvalId?: string;
      jobId?: string;
      upids?: string[];
      result?: 'ok' | 'failed' | 'refused';
    } = {},
  ): Promise<void> {
    await this.#o.audit.append({ actor: user.id, action, command, summary, ...extra });
  }
}
