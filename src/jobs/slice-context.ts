// The JobContext of one slice of one job: it persists every step in the BullMQ job's data, so the
// next slice (or another worker, after a crash) continues where this one stopped.

import type { ProxmoxClient } from '../proxmox/proxmox-client.js';
import { isPveError } from '../proxmox/pve-error.js';
import type { SshRunner } from '../proxmox/ssh/ssh-runner.js';
import type { PollInterval, TaskResult } from '../proxmox/wait-for-task.js';
import { type ClaimedUpids, findAdoptableTask } from './adopt-task.js';
import type { AlertInput } from './alerts/alert.js';
import type { AdoptableTask, JobContext } from './job-context.js';
import type { JobControl } from './job-controls.js';
import type { JobData, TaskStepState } from './job-data.js';
import { JobError, JobErrorCode } from './job-error.js';
import type { ProgressEvent } from './job-events.js';
import type { KindState } from './kind-state.js';

/** Thrown when a slice's time is up while a task still runs: the job is delayed, not failed. */
export class SliceEnded extends Error {
  override readonly name = 'SliceEnded';
}

export interface CancelRequest {
  by: string;
}

export interface SliceContextDeps {
  jobId: string;
  data: JobData;
  payload: unknown;
  pve: ProxmoxClient;
  ssh: SshRunner | undefined;
  state: KindState;
  /** The kind shows Pause/Resume/Abort (see JobKind.controllable). */
  controllable: boolean;
  readControl(): Promise<JobControl | undefined>;
  /** The token id PVE records in our tasks' UPIDs (`chatops@pve!bot`). */
  pveUser: string;
  claimed: ClaimedUpids;
  pollInterval: PollInterval;
  /** Aborted with SliceEnded or CancelRequest as the reason. */
  signal: AbortSignal;
  save(data: JobData): Promise<void>;
  publish(event: ProgressEvent): Promise<void>;
  /** Publishes an alert to the job's threads (ctx.alert()). */
  alert(input: AlertInput): Promise<void>;
}

const LOG_LINES_SHOWN = 6;
// After a cancel, how long to wait for PVE to report the stopped task's final status.
const STOP_WAIT_MS = 15_000;

export class SliceContext<P> implements JobContext<P> {
  readonly jobId: string;
  readonly kind: string;
  readonly payload: P;
  readonly requestedBy: string;
  readonly pve: ProxmoxClient;
  readonly ssh: SshRunner | undefined;
  readonly state: KindState;
  readonly signal: AbortSignal;
  readonly safetyNet: JobData['safetyNet'];
  readonly #deps: SliceContextDeps;
  #paused = false;
  readonly #recentLines: string[] = [];

  constructor(deps: SliceContextDeps) {
    this.#deps = deps;
    this.jobId = deps.jobId;
    this.kind = deps.data.kind;
    this.payload = deps.payload as P;
    this.requestedBy = deps.data.requestedBy;
    this.pve = deps.pve;
    this.ssh = deps.ssh;
    this.state = deps.state;
    this.signal = deps.signal;
    this.safetyNet = deps.data.safetyNet;
  }

  get #state() {
    return this.#deps.data.state;
  }

  async memo<T>(key: string, compute: () => Promise<T>): Promise<T> {
    if (key in this.#state.memo) return this.#state.memo[key] as T;
    const value = await compute();
    this.#state.memo[key] = value;
    await this.#save();
    return value;
  }

  recall<T>(key: string): T | undefined {
    return this.#state.memo[key] as T | undefined;
  }

  async forget(key: string): Promise<void> {
    delete this.#state.memo[key];
    await this.#save();
  }

  async runTask(step: string, start: () => Promise<string>, adopt?: AdoptableTask): Promise<string> {
    const state = this.#step(step);
    if (state.upid) return state.upid;
    if (state.startingAt !== undefined && adopt) {
      const found = await findAdoptableTask(
        this.pve,
        this.#deps.claimed,
        this.#deps.pveUser,
        adopt,
        state.startingAt,
      );
      if (found) return this.#remember(state, found);
    }
    this.#throwIfStopped();
    state.startingAt = Date.now();
    await this.#save();
    try {
      return await this.#remember(state, await start());
    } catch (error) {
      // PVE answered (or nothing was sent): no task exists, so a retry must not look for one.
      if (isPveError(error) && (error.statusCode !== undefined || error.mayHaveReachedServer === false)) {
        delete state.startingAt;
        await this.#save();
      }
      throw error;
    }
  }

  async watchTask(step: string, upid: string, phase: string): Promise<TaskResult> {
    const state = this.#step(step);
    if (state.result) return { upid, linesSeen: state.linesSeen, ...state.result };
    await this.progress(phase, { upid });
    try {
      const result = await this.pve.waitForTask(upid, {
        linesSeen: state.linesSeen,
        signal: this.signal,
        pollInterval: this.#deps.pollInterval,
        onProgress: async (progress) => {
          state.linesSeen = progress.linesSeen;
          this.#recentLines.push(...progress.newLines);
          this.#recentLines.splice(0, Math.max(0, this.#recentLines.length - LOG_LINES_SHOWN));
          await this.#save();
          await this.progress(phase, {
            upid,
            logLines: [...this.#recentLines],
            ...(progress.percent === undefined ? {} : { percent: progress.percent }),
          });
        },
      });
      state.linesSeen = result.linesSeen;
      state.result = { exitstatus: result.exitstatus, logTail: result.logTail };
      await this.#save();
      return result;
    } catch (error) {
      throw await this.#stopped(error, upid);
    }
  }

  async watch<T>(step: string, phase: string, wait: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const key = `watch:${step}`;
    if (key in this.#state.memo) return this.#state.memo[key] as T;
    await this.progress(phase);
    try {
      const value = await wait(this.signal);
      this.#state.memo[key] = value;
      await this.#save();
      return value;
    } catch (error) {
      throw await this.#stopped(error, undefined);
    }
  }

  async control(): Promise<JobControl | undefined> {
    const control = await this.#deps.readControl();
    this.#paused = control?.action === 'pause';
    return control;
  }

  async progress(
    phase: string,
    extra: { percent?: number; logLines?: string[]; upid?: string } = {},
  ): Promise<void> {
    await this.#deps.publish({
      type: 'progress',
      jobId: this.jobId,
      kind: this.kind,
      phase,
      logLines: extra.logLines ?? [],
      ...(extra.percent === undefined ? {} : { percent: extra.percent }),
      ...(extra.upid === undefined ? {} : { upid: extra.upid }),
      ...(this.#deps.controllable
        ? { controls: this.#paused ? (['resume', 'abort'] as const) : (['pause', 'abort'] as const) }
        : {}),
      at: Date.now(),
    } as ProgressEvent);
  }

  alert(input: AlertInput): Promise<void> {
    return this.#deps.alert(input);
  }

  #step(step: string): TaskStepState {
    this.#state.steps[step] ??= { linesSeen: 0 };
    return this.#state.steps[step];
  }

  async #remember(state: TaskStepState, upid: string): Promise<string> {
    state.upid = upid;
    await this.#save();
    await this.#deps.claimed.claim(upid);
    return upid;
  }

  #save(): Promise<void> {
    return this.#deps.save(this.#deps.data);
  }

  #throwIfStopped(): void {
    const reason: unknown = this.signal.reason;
    if (!this.signal.aborted) return;
    if (reason instanceof SliceEnded) throw reason;
    throw new JobError(JobErrorCode.Cancelled, `cancelled by ${(reason as CancelRequest).by}`);
  }

  /**
   * Turns an abort into what it means: the slice is over (resume later), or someone cancelled the
   * job, in which case the PVE task is stopped (DELETE on its UPID) before the job ends.
   */
  async #stopped(error: unknown, upid: string | undefined): Promise<unknown> {
    // Any error once the signal fired comes from the abort (a PveError PVE_ABORTED from the client,
    // an AbortError from a timer): what matters is why the signal fired.
    if (!this.signal.aborted) return error;
    const reason: unknown = this.signal.reason;
    if (reason instanceof SliceEnded) return reason;
    const by = (reason as CancelRequest).by;
    if (upid === undefined) return new JobError(JobErrorCode.Cancelled, `cancelled by ${by}`);
    await this.pve.stopTask(upid);
    const exit = await this.pve
      .waitForTask(upid, { timeoutMs: STOP_WAIT_MS, pollInterval: this.#deps.pollInterval })
      .then((result) => result.exitstatus)
      .catch((stopError: unknown) =>
        isPveError(stopError) && stopError.exitstatus ? stopError.exitstatus : 'stop requested',
      );
    return new JobError(JobErrorCode.Cancelled, `cancelled by ${by}; the PVE task was stopped (${exit})`);
  }
}
