// Stage three: a person acts on a running job (Cancel, Pause, Resume, Abort, or `/pve cancel`).
// Who may is decided under the policy entry of the command the job came from (JobData.command):
// its requester, or whoever the entry names as approver (or, without approvals, as runner). So a
// lead who approved a node reboot may also cancel it.
import type { ThreadRef } from '../../jobs/job-events.js';
import type { JobInfo } from '../../jobs/job-queue.js';
import type { ChatUser } from '../chat-event.js';
import type { ButtonPress } from '../core-api.js';
import { commandRisk } from '../grammar/index.js';
import { mayCancel, type PolicyDecision } from '../policy/index.js';
import type { CoreServices } from './core-services.js';

export class JobControlStage {
  readonly #s: CoreServices;

  constructor(services: CoreServices) {
    this.#s = services;
  }

  /** May `user` stop this job? Decided on the job's command; jobs queued before it was recorded use their kind. */
  mayStop(user: ChatUser, job: JobInfo): PolicyDecision {
    // By id: a display name (a Discord nickname) can be taken by anyone. Jobs queued before ids
    // were recorded fall back to the name.
    if (job.requestedById === undefined && job.requestedBy === user.name) return { ok: true };
    const command = job.command ?? job.kind;
    return mayCancel(this.#s.policy, user, {
      requesterId: job.requestedById ?? `name:${job.requestedBy}`,
      command,
      risk: job.commandRisk ?? commandRisk(command),
    });
  }

  /**
   * Cancel (or abort) a job. What only the person needs to know goes to `replyThread`; the public
   * card to the thread `publicThread` opens, only once the cancel is going ahead.
   */
  async cancel(
    replyThread: ThreadRef,
    user: ChatUser,
    jobId: string,
    publicThread: () => Promise<ThreadRef>,
  ): Promise<void> {
    const s = this.#s;
    const queue = s.options.queue;
    const job = await queue.get(jobId);
    if (!job) {
      await s.tell(replyThread, user, {
        title: `No job ${jobId}`,
        status: 'failed',
        text: 'Type `jobs` to see the recent ones.',
      });
      return;
    }
    const allowed = this.mayStop(user, job);
    if (!allowed.ok) {
      await s.tell(replyThread, user, {
        title: `You may not cancel job ${jobId}`,
        status: 'denied',
        text: `${allowed.reason[0]!.toUpperCase()}${allowed.reason.slice(1)}.`,
      });
      return;
    }
    const thread = await publicThread();
    // A job that may stop only between steps (an upgrade mid dist-upgrade) is aborted, not killed.
    const controlled = await queue.control(jobId, 'abort', user.name);
    if (controlled.status === 'set') {
      await s.audit(user, 'abort', job.kind, `abort job ${jobId}`, { jobId });
      await s.options.sink.send({
        thread,
        card: {
          title: `Abort of job ${jobId} (${job.kind}) by ${user.name}`,
          status: 'info',
          text: 'It stops before its next step and leaves no node in maintenance.',
        },
      });
      return;
    }
    const outcome = await queue.cancel(jobId, user.name);
    await s.audit(user, 'cancel', job.kind, `cancel job ${jobId} (${outcome.status})`, { jobId });
    const text =
      outcome.status === 'cancelling'
        ? 'It is running: its worker stops the PVE task now and reports the result here.'
        : outcome.status === 'cancelled'
          ? 'It had not started; nothing ran.'
          : outcome.status === 'finished'
            ? `It has already ${outcome.state}.`
            : 'It no longer exists.';
    await s.options.sink.send({
      thread,
      card: { title: `Cancel job ${jobId} (${job.kind}) by ${user.name}`, status: 'info', text },
    });
  }

  /** Pause, Resume or Abort a job that stops only between its steps. */
  async control(press: ButtonPress, action: 'pause' | 'resume' | 'abort'): Promise<void> {
    const s = this.#s;
    const jobId = press.value;
    const job = await s.options.queue.get(jobId);
    if (!job) {
      await s.tell(press.thread, press.user, { title: `No job ${jobId}`, status: 'failed' });
      return;
    }
    const allowed = this.mayStop(press.user, job);
    if (!allowed.ok) {
      await s.tell(press.thread, press.user, {
        title: `You may not ${action} job ${jobId}`,
        status: 'denied',
        text: `${allowed.reason[0]!.toUpperCase()}${allowed.reason.slice(1)}.`,
      });
      return;
    }
    const outcome = await s.options.queue.control(jobId, action, press.user.name);
    if (outcome.status !== 'set') {
      await s.tell(press.thread, press.user, {
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
      await s.tell(press.thread, press.user, {
        title: `Job ${jobId} is already being aborted`,
        status: 'denied',
        text: `${outcome.control.by} aborted it; it stops before its next step.`,
      });
      return;
    }
    await s.audit(press.user, action, job.kind, `${action} job ${jobId}`, { jobId });
    const effect =
      outcome.control?.action === 'abort'
        ? 'It stops before its next step and leaves no node in maintenance.'
        : action === 'pause'
          ? 'It stops before its next step and waits for Resume.'
          : 'It goes on.';
    const verb = action === 'abort' ? 'Abort' : action === 'pause' ? 'Pause' : 'Resume';
    await s.options.sink.send({
      thread: press.thread,
      card: {
        title: `${verb} of job ${jobId} (${job.kind}) by ${press.user.name}`,
        status: 'info',
        text: effect,
      },
    });
  }
}
