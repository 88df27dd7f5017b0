// The command pipeline, independent of any chat platform. Adapters call handle() and press(); the
// outbox reader calls onJobEvent(); everything the core says goes through the ChatSink. The work
// is done by four stages over shared ports (ports.ts):
//   stages/handle-command.ts     a chat command: once per request → parse → policy → its handler
//   stages/decide-approval.ts    Approve, Deny, Cancel on an approval card; a job's proposal
//   stages/control-job.ts        Cancel, Pause, Resume, Abort of a job
//   stages/react-to-job-event.ts a job's progress and result, rendered and audited
// Each command's own behaviour is in its module under commands/.
import type { JobEvent, ThreadRef } from '../jobs/job-events.js';
import { ClusterDirectory, type Suggestion, type SuggestionKind } from './cluster-directory.js';
import type { ButtonPress, CoreApi } from './core-api.js';
import type { CoreOptions } from './ports.js';
import { JobControlStage } from './stages/control-job.js';
import { CoreServices } from './stages/core-services.js';
import { ApprovalStage } from './stages/decide-approval.js';
import { CommandStage } from './stages/handle-command.js';
import { JobEventStage } from './stages/react-to-job-event.js';

export type { CoreOptions } from './ports.js';

export class Core implements CoreApi {
  readonly #services: CoreServices;
  readonly #directory: ClusterDirectory;
  readonly #commands: CommandStage;
  readonly #approvals: ApprovalStage;
  readonly #jobs: JobControlStage;
  readonly #events: JobEventStage;

  constructor(options: CoreOptions) {
    this.#services = new CoreServices(options);
    this.#directory = options.directory ?? new ClusterDirectory({ readCluster: options.readCluster });
    this.#approvals = new ApprovalStage(this.#services);
    this.#jobs = new JobControlStage(this.#services);
    this.#events = new JobEventStage(this.#services, (thread, event) =>
      this.#approvals.propose(thread, event),
    );
    this.#commands = new CommandStage({
      services: this.#services,
      // One cluster read, whose names also refresh the directory autocomplete reads.
      readCluster: async () => {
        const snapshot = await options.readCluster();
        this.#directory.remember(snapshot);
        return snapshot;
      },
      cancelJob: (replyThread, event, jobId, publicThread) =>
        this.#jobs.cancel(replyThread, event.user, jobId, publicThread),
    });
  }

  suggest(kind: SuggestionKind, typed: string): Promise<Suggestion[]> {
    return this.#directory.suggest(kind, typed);
  }

  handle(event: Parameters<CoreApi['handle']>[0]): Promise<void> {
    return this.#commands.handle(event);
  }

  /** A button on a card. Each press is handled once (its requestId), and always answered. */
  async press(press: ButtonPress): Promise<void> {
    const s = this.#services;
    try {
      if (!(await s.firstArrival(press.requestId, press.user))) return;
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
    return this.#events.onJobEvent(thread, event);
  }
}
