// Stage two: approvals. A press of Approve, Deny or Cancel on an approval card, and a job's
// proposal (an upgrade or balance plan) put through the policy like a typed command. The job an
// approval starts has an id derived from the request, so it is never queued twice.
import type { ResultEvent, ThreadRef } from '../../jobs/job-events.js';
import { jobIdForApproval } from '../../jobs/job-queue.js';
import type { ApprovalRequest } from '../approvals/approval-store.js';
import type { ButtonPress } from '../core-api.js';
import { commandRisk } from '../grammar/index.js';
import { approvalRuleFor, describeApprovers, mayApprove, scopedEntry } from '../policy/index.js';
import { describeSchedule } from '../schedule/resolve-schedule.js';
import type { CoreServices } from './core-services.js';

export class ApprovalStage {
  readonly #s: CoreServices;

  constructor(services: CoreServices) {
    this.#s = services;
  }

  async decide(press: ButtonPress): Promise<void> {
    const s = this.#s;
    const request = await s.options.approvals.get(press.value);
    if (!request) {
      await s.tell(press.thread, press.user, {
        title: `No approval request ${press.value}`,
        status: 'failed',
      });
      return;
    }
    const decision = press.action === 'approve' ? 'approve' : 'deny';
    const allowed = mayApprove(s.policy, request.rule, press.user);
    if (
      decision === 'approve' &&
      allowed &&
      request.status === 'pending' &&
      !(await this.#approverMayRun(request, press))
    )
      return;
    const result = await s.options.approvals.decide(request.id, press.user, decision, allowed);
    if (result.outcome === 'closed' && decision === 'approve' && allowed) {
      if (await this.#queueApprovedWithoutJob(result.request, press)) return;
    }
    if (result.outcome === 'refused' || result.outcome === 'closed') {
      await s.tell(press.thread, press.user, {
        title: result.outcome === 'refused' ? 'Your click changed nothing' : 'This request is already closed',
        status: 'denied',
        text: result.reason ?? `It is ${result.request.status}.`,
      });
      return;
    }
    await s.audit(press.user, decision, request.command, `${decision} ${request.summary}`, {
      approvalId: request.id,
    });
    // `recorded` (one of several approvals needed) decides nothing yet.
    if (result.outcome === 'approved' || result.outcome === 'denied')
      s.options.metrics?.countApproval(request.command, result.outcome);
    if (result.outcome === 'approved') {
      await this.#enqueueApproved(result.request);
      return;
    }
    await s.showApproval(result.request);
  }

  /**
   * With the policy's identities and `checkApprovers` (the default), approving needs the
   * privileges the request needs, held by the approver's own PVE user. False: refused, told
   * privately and audited; the request stays as it was.
   */
  async #approverMayRun(request: ApprovalRequest, press: ButtonPress): Promise<boolean> {
    const s = this.#s;
    if (s.policy.identities?.checkApprovers === false) return true;
    const origin = {
      command: request.command,
      ...(request.snapshotFirst ? { snapshotFirst: true } : {}),
      ...(request.cluster ? { cluster: request.cluster } : {}),
    };
    const job = { kind: request.jobKind, payload: request.payload };
    const verdict = await s.mayHaveRun(press.user, job, origin, 'approver');
    if (verdict.ok) return true;
    await s.audit(press.user, 'refused', request.command, `approval refused: ${verdict.title}`, {
      approvalId: request.id,
      result: 'refused',
    });
    await s.tell(press.thread, press.user, { title: verdict.title, status: 'denied', text: verdict.reason });
    return false;
  }

  async cancelRequest(press: ButtonPress): Promise<void> {
    const s = this.#s;
    const result = await s.options.approvals.cancel(press.value, press.user);
    if (result.outcome !== 'cancelled') {
      await s.tell(press.thread, press.user, {
        title: 'Your click changed nothing',
        status: 'denied',
        text: result.reason ?? `It is ${result.request.status}.`,
      });
      return;
    }
    await s.audit(press.user, 'cancel', result.request.command, `cancelled ${result.request.summary}`, {
      approvalId: result.request.id,
    });
    s.options.metrics?.countApproval(result.request.command, 'cancelled');
    await s.showApproval(result.request);
  }

  /**
   * A job's proposal (an upgrade plan) goes through the policy like a typed command: approved by
   * whom the rule names, or run at once without a rule. Ids derive from the proposing job, so a
   * redelivered result never asks twice nor runs twice.
   */
  async propose(thread: ThreadRef, event: ResultEvent): Promise<void> {
    const s = this.#s;
    const proposal = event.proposal!;
    const requester = proposal.requester;
    const snapshotFirst = proposal.snapshotFirst === true;
    const { schedule, cluster } = proposal;
    const origin = {
      user: requester,
      // A cluster's own rule (`upgrade@prod`) judges a plan made on that cluster.
      command: scopedEntry(s.policy, proposal.command, cluster),
      ...(snapshotFirst ? { snapshotFirst } : {}),
      ...(schedule ? { schedule } : {}),
      ...(cluster ? { cluster } : {}),
    };
    const net = s.safetyNetNote(origin, proposal.jobKind);
    const when = schedule && describeSchedule(schedule, s.now(), s.timeZone);
    // The plan names what it will touch only now: its requester's PVE user must allow all of it.
    const job = { kind: proposal.jobKind, payload: proposal.payload };
    const verdict = await s.mayHaveRun(requester, job, origin, 'requester');
    if (!verdict.ok) {
      await s.audit(requester, 'refused', proposal.command, `${proposal.summary} refused: ${verdict.title}`, {
        result: 'refused',
      });
      // Keyed by the proposing job: a redelivered result redraws the same message.
      await s.options.sink.send({
        thread,
        key: `proposal-refused:${event.jobId}`,
        card: { title: `Not proposed: ${verdict.title}`, status: 'denied', text: verdict.reason },
      });
      return;
    }
    const rule = approvalRuleFor(s.policy, origin.command, commandRisk(proposal.command));
    const derivedId = `p-${event.jobId.replace(/[^A-Za-z0-9_-]/g, '-')}`.slice(0, 64);
    if (!rule) {
      const job = { kind: proposal.jobKind, payload: proposal.payload };
      const { jobId, duplicate } = await s.enqueue(origin, thread, job, jobIdForApproval(derivedId));
      if (duplicate) return;
      await s.audit(requester, 'request', proposal.command, proposal.summary, { jobId });
      await s.showQueued(thread, proposal.jobKind, jobId, schedule);
      return;
    }
    const request = await s.options.approvals.open(
      {
        command: origin.command,
        summary: proposal.summary,
        ...(event.text || net || when ? { details: [event.text, net, when].filter(Boolean).join('\n') } : {}),
        payload: proposal.payload,
        jobKind: proposal.jobKind,
        ...(snapshotFirst ? { snapshotFirst } : {}),
        ...(schedule ? { schedule } : {}),
        ...(cluster ? { cluster } : {}),
        requester,
        rule,
        thread,
        approverDescription: describeApprovers(s.policy, rule),
      },
      { id: derivedId },
    );
    if (request.status !== 'pending' || request.approvals.length > 0) return;
    await s.audit(requester, 'request', proposal.command, proposal.summary, { approvalId: request.id });
    await s.showApproval(request);
  }

  /**
   * An approved request whose job was never queued: Redis recorded the approval but failed before
   * (or instead of) the enqueue, and the approver was told "not accepted". Another press by an
   * approver, before the request's own expiry, queues it now (under the same job id, so never
   * twice). After the expiry nothing is queued: a late approval of an old plan would run late.
   */
  async #queueApprovedWithoutJob(request: ApprovalRequest, press: ButtonPress): Promise<boolean> {
    const s = this.#s;
    if (request.status !== 'approved' || s.now() >= request.expiresAt) return false;
    const jobId = jobIdForApproval(request.id);
    if (await s.options.queue.get(jobId)) return false;
    await this.#enqueueApproved(request);
    await s.audit(press.user, 'approve', request.command, `queued approved ${request.summary}`, {
      approvalId: request.id,
      jobId,
    });
    return true;
  }

  async #enqueueApproved(request: ApprovalRequest): Promise<void> {
    const s = this.#s;
    const origin = {
      user: request.requester,
      command: request.command,
      ...(request.snapshotFirst ? { snapshotFirst: true } : {}),
      ...(request.schedule ? { schedule: request.schedule } : {}),
      ...(request.cluster ? { cluster: request.cluster } : {}),
    };
    const job = { kind: request.jobKind, payload: request.payload };
    const { jobId } = await s.enqueue(origin, request.thread, job, jobIdForApproval(request.id));
    await s.showApproval(request, jobId);
    await s.showQueued(request.thread, request.jobKind, jobId, request.schedule);
  }
}
