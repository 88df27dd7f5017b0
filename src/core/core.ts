// The command pipeline, independent of any chat platform. Adapters call handle() and press(); the
// outbox reader calls onJobEvent(); everything the core says goes through the ChatSink. The work
// is done by four stages over shared ports (ports.ts):
//   stages/handle-command.ts     a chat command: once per request → parse → policy → its handler
//   stages/decide-approval.ts    Approve, Deny, Cancel on an approval card; a job's proposal
//   stages/control-job.ts        Cancel, Pause, Resume, Abort of a job
//   stages/react-to-job-event.ts a job's progress and result, rendered and audited
//   stages/alert-cards.ts        an alert's card, and its Acknowledge and Snooze 4h buttons
// Each command's own behaviour is in its module under commands/.
import type { JobEvent, ThreadRef } from '../jobs/job-events.js';
import { jobIdForRequest } from '../jobs/job-queue.js';
import { isStoreUnavailable } from '../jobs/store-unavailable.js';
import type { ChatEvent, ChatUser } from './chat-event.js';
import { ClusterDirectory, type Suggestion, type SuggestionKind } from './cluster-directory.js';
import type { ButtonPress, CoreApi } from './core-api.js';
import { parseCommand } from './grammar/index.js';
import { type IntakeEntry, requestIdOf } from './intake/intake-entry.js';
import type { CoreOptions } from './ports.js';
import { ACK_ALERT_ACTION, SNOOZE_ALERT_ACTION } from './render-alert.js';
import { RUN_COMMAND_ACTION } from './render-job-event.js';
import { AlertCardStage } from './stages/alert-cards.js';
import { JobControlStage } from './stages/control-job.js';
import { CoreServices } from './stages/core-services.js';
import { ApprovalStage } from './stages/decide-approval.js';
import { CommandStage } from './stages/handle-command.js';
import { JobEventStage } from './stages/react-to-job-event.js';

export type { CoreOptions } from './ports.js';

/** Requests older than this when a replica gets to them are not run (CoreOptions.intakeDeadlineMs). */
export const DEFAULT_INTAKE_DEADLINE_MS = 120_000;

/** The command a text names, for the metrics; `unknown` when it does not parse. */
function commandNameOf(text: string): string {
  const parsed = parseCommand(text);
  return parsed.ok ? parsed.command.name : 'unknown';
}

export class Core implements CoreApi {
  readonly #options: CoreOptions;
  readonly #services: CoreServices;
  readonly #directory: ClusterDirectory;
  readonly #commands: CommandStage;
  readonly #approvals: ApprovalStage;
  readonly #jobs: JobControlStage;
  readonly #events: JobEventStage;
  readonly #alerts: AlertCardStage;

  constructor(options: CoreOptions) {
    this.#options = options;
    this.#services = new CoreServices(options);
    this.#directory = options.directory ?? new ClusterDirectory({ readCluster: options.readCluster });
    this.#approvals = new ApprovalStage(this.#services);
    this.#jobs = new JobControlStage(this.#services);
    this.#alerts = new AlertCardStage(this.#services);
    this.#events = new JobEventStage(this.#services, (thread, event) =>
      this.#approvals.propose(thread, event),
    );
    this.#commands = new CommandStage({
      services: this.#services,
      // One cluster read (of the named one, with several), whose names also refresh the
      // directory autocomplete reads.
      readCluster: async (cluster) => {
        const named = cluster === undefined ? undefined : options.clusters?.find((c) => c.name === cluster);
        const snapshot = await (named ?? options).readCluster();
        this.#directory.remember(snapshot);
        return snapshot;
      },
      readSnapshots: (guest, cluster) => {
        const named = cluster === undefined ? undefined : options.clusters?.find((c) => c.name === cluster);
        const read = named ? named.readSnapshots : options.readSnapshots;
        if (!read) throw new Error('this bot was started without a snapshot reader');
        return read(guest);
      },
      cancelJob: (replyThread, event, jobId, publicThread) =>
        this.#jobs.cancel(replyThread, event.user, jobId, publicThread),
    });
  }

  suggest(kind: SuggestionKind, typed: string): Promise<Suggestion[]> {
    // The clusters' names (several clusters): from the configuration, no read.
    if (kind === 'cluster') {
      const lower = typed.toLowerCase();
      const names = (this.#options.clusters ?? []).map((c) => c.name).filter((n) => n.includes(lower));
      return Promise.resolve(names.map((name) => ({ label: name, value: name })));
    }
    return this.#directory.suggest(kind, typed);
  }

  /**
   * A chat command. With an intake, only submitted (the acknowledgement path ends here) and
   * handled by process(), in this replica or another; without one, handled now.
   */
  async handle(event: ChatEvent): Promise<void> {
    if (!this.#options.intake) return this.#commands.handle(event);
    await this.#submit(
      { type: 'command', acceptedAt: this.#services.now(), event },
      event.thread,
      event.user,
    );
  }

  /** A button on a card. Each press is handled once (its requestId), and always answered. */
  async press(press: ButtonPress): Promise<void> {
    if (!this.#options.intake) return this.#press(press, false);
    await this.#submit({ type: 'press', acceptedAt: this.#services.now(), press }, press.thread, press.user);
  }

  /**
   * One entry of the intake: what handle() or press() accepted, handled now. One accepted longer
   * ago than the deadline (every replica was down) is not run late: the person is told.
   */
  async process(entry: IntakeEntry): Promise<void> {
    const s = this.#services;
    const deadline = entry.acceptedAt + (this.#options.intakeDeadlineMs ?? DEFAULT_INTAKE_DEADLINE_MS);
    if (s.now() > deadline) {
      const { thread, user } = entry.type === 'command' ? entry.event : entry.press;
      // A first attempt may have got as far as the job (its replica died after queueing it): that
      // job reports for itself, and "nothing ran" would be false.
      const requestId = requestIdOf(entry);
      if (requestId !== undefined && (await s.options.queue.get(jobIdForRequest(requestId)))) {
        s.options.logger?.warn(
          { user: user.id, requestId },
          'an intake entry is past its deadline; its job was queued before',
        );
        return;
      }
      const what = entry.type === 'command' ? `/pve ${entry.event.text}` : `your ${entry.press.action} click`;
      s.options.logger?.warn(
        { user: user.id, acceptedAt: entry.acceptedAt },
        'an intake entry is past its deadline; not run',
      );
      if (entry.type === 'command') s.options.metrics?.countCommand(commandNameOf(entry.event.text), 'late');
      await s.tell(thread, user, {
        title: 'Not handled in time; nothing ran',
        status: 'failed',
        text: `${what} was received at ${new Date(entry.acceptedAt).toISOString().slice(11, 19)}Z, but the bot could not get to it before its deadline. Send it again if it is still wanted.`,
      });
      return;
    }
    if (entry.type === 'command') return this.#commands.handle(entry.event, { claimed: true });
    return this.#press(entry.press, true);
  }

  /** Submits to the intake; when Redis does not take it, the person hears "not accepted". */
  async #submit(entry: IntakeEntry, thread: ThreadRef, user: ChatUser): Promise<void> {
    const s = this.#services;
    try {
      if ((await this.#options.intake!.submit(entry)) === 'duplicate')
        s.options.logger?.info(
          { requestId: requestIdOf(entry), user: user.id },
          'request already handled; this arrival is ignored',
        );
    } catch (error) {
      const command = entry.type === 'command' ? commandNameOf(entry.event.text) : undefined;
      if (command)
        s.options.metrics?.countCommand(command, isStoreUnavailable(error) ? 'unavailable' : 'error');
      await s.tell(
        thread,
        user,
        s.failureCard(error, entry.type === 'command' ? 'command' : 'click', { command }),
      );
    }
  }

  async #press(press: ButtonPress, claimed: boolean): Promise<void> {
    const s = this.#services;
    try {
      if (!claimed && !(await s.firstArrival(press.requestId, press.user))) return;
      switch (press.action) {
        case 'approve':
        case 'deny':
          return await this.#approvals.decide(press);
        case 'cancel-request':
          return await this.#approvals.cancelRequest(press);
        case 'cancel-job':
          return await this.#jobs.cancel(press.thread, press.user, press.value, async () => press.thread);
        case 'pause-job':
          return await this.#jobs.control(press, 'pause');
        case 'resume-job':
          return await this.#jobs.control(press, 'resume');
        case 'abort-job':
          return await this.#jobs.control(press, 'abort');
        case RUN_COMMAND_ACTION:
          // A command a result offered ("Roll back"): exactly as if the presser had typed
          // `/pve <value>` in this thread (grammar, policy, approval by another person, audit).
          // The press's id was claimed above (or at the intake), and the job or approval it
          // leads to derives from it, so a redelivered press does nothing twice.
          return await this.#commands.handle(
            {
              platform: press.platform,
              user: press.user,
              channel: press.channel,
              text: press.value,
              thread: press.thread,
              ...(press.requestId === undefined ? {} : { requestId: press.requestId }),
            },
            { claimed: true },
          );
        case ACK_ALERT_ACTION:
          return await this.#alerts.acknowledge(press);
        case SNOOZE_ALERT_ACTION:
          return await this.#alerts.snooze(press);
        default:
          await s.tell(press.thread, press.user, {
            title: `Unknown button '${press.action}'`,
            status: 'failed',
          });
      }
    } catch (error) {
      await s.tell(
        press.thread,
        press.user,
        s.failureCard(error, 'click', { action: press.action, value: press.value }),
      );
    }
  }

  onJobEvent(thread: ThreadRef, event: JobEvent): Promise<void> {
    if (event.type === 'alert') return this.#alerts.show(thread, event);
    return this.#events.onJobEvent(thread, event);
  }
}
