// One worker task, as RESTEnvironment.pm fork_worker runs it: a log that ends with exactly one
// `TASK OK` / `TASK WARNINGS: n` / `TASK ERROR: msg` line, or with nothing at all when the
// worker died with its node (`unexpected status`).
import { logTimestamp } from './log-format.js';
import type { Scheduler } from './scheduler.js';
import { formatUpid, type UpidFields } from './upid.js';

/** Why a task stopped before its work finished. */
export class TaskAbort extends Error {
  override readonly name = 'TaskAbort';
  readonly kind: 'interrupt' | 'node-lost';
  constructor(kind: 'interrupt' | 'node-lost') {
    super(kind === 'interrupt' ? 'received interrupt' : 'node lost');
    this.kind = kind;
  }
}

/** The task's node lost power under it: the worker died without any cleanup. */
export function isNodeLoss(error: unknown): boolean {
  return error instanceof TaskAbort && error.kind === 'node-lost';
}

/** A failure injected with SimCluster.failNextTask: its message becomes the `TASK ERROR` text. */
export class InjectedTaskFailure extends Error {
  override readonly name = 'InjectedTaskFailure';
}

export interface TaskRecord extends UpidFields {
  upid: string;
  status: 'running' | 'stopped';
  exitstatus?: string;
  endtime?: number;
}

export type TaskWork = (task: SimTask) => Promise<void>;

export class SimTask {
  readonly record: TaskRecord;
  readonly lines: string[] = [];
  /** Simulated seconds spent in `sleep`, for the `duration` figures logs print. */
  simSeconds = 0;
  private warnings = 0;
  private abort: TaskAbort | null = null;
  private cancelSleep: ((error: Error) => void) | null = null;
  private injectedFailure: string | null;
  private readonly scheduler: Scheduler;
  private readonly now: () => number;
  private readonly timeZone: string;
  private readonly clockOffset: number;
  private readonly doneListeners: Array<(task: SimTask) => void> = [];

  constructor(
    fields: UpidFields,
    context: {
      scheduler: Scheduler;
      now: () => number;
      timeZone: string;
      clockOffset: number;
      injectedFailure: string | null;
    },
  ) {
    this.record = { ...fields, upid: formatUpid(fields), status: 'running' };
    this.scheduler = context.scheduler;
    this.now = context.now;
    this.timeZone = context.timeZone;
    this.clockOffset = context.clockOffset;
    this.injectedFailure = context.injectedFailure;
  }

  get upid(): string {
    return this.record.upid;
  }

  get running(): boolean {
    return this.record.status === 'running';
  }

  /** A raw log line (what the worker printed). */
  log(line: string): void {
    if (this.running) this.lines.push(line);
  }

  /** A line prefixed `YYYY-MM-DD HH:MM:SS`, as migration and replication logs are. */
  logStamped(message: string): void {
    this.log(`${logTimestamp(this.now() + this.clockOffset * 1000, this.timeZone)} ${message}`);
  }

  /** `warn` in a worker: logged with a `WARN: ` prefix and counted for `TASK WARNINGS: n`. */
  warn(message: string): void {
    this.warnings += 1;
    this.log(`WARN: ${message}`);
  }

  /** Waits simulated time; rejects with TaskAbort when the task is interrupted or its node dies. */
  async sleep(realMs: number): Promise<void> {
    if (this.abort) throw this.abort;
    await this.scheduler.sleep(realMs, (cancel) => {
      this.cancelSleep = cancel;
    });
    this.cancelSleep = null;
    this.simSeconds += realMs / 1000;
    if (this.abort) throw this.abort;
  }

  /**
   * Where a worker may fail for real (mid-transfer, mid-start): an injected failure
   * (SimCluster.failNextTask) throws its message here, so the work's own rollback runs.
   */
  failurePoint(): void {
    if (this.injectedFailure === null) return;
    const message = this.injectedFailure;
    this.injectedFailure = null;
    throw new InjectedTaskFailure(message);
  }

  onDone(listener: (task: SimTask) => void): void {
    if (!this.running) listener(this);
    else this.doneListeners.push(listener);
  }

  /** DELETE /tasks/{upid} (SIGTERM) or the node losing power (SIGKILL, no final line). */
  stop(kind: 'interrupt' | 'node-lost'): void {
    if (!this.running || this.abort) return;
    this.abort = new TaskAbort(kind);
    const cancel = this.cancelSleep;
    this.cancelSleep = null;
    cancel?.(this.abort);
  }

  /** Runs the work and writes the final line the way fork_worker does. */
  async run(work: TaskWork): Promise<void> {
    let error: unknown = null;
    try {
      await work(this);
      // A failure injected into a task whose work has no failure point fails it at the end.
      this.failurePoint();
    } catch (caught) {
      error = caught;
    }
    if (this.abort?.kind === 'node-lost') return this.finish('unexpected status', null);
    if (this.abort?.kind === 'interrupt')
      return this.finish('received interrupt', 'TASK ERROR: received interrupt');
    if (error !== null) {
      // `TASK ERROR: <message>` with newlines replaced by spaces (fork_worker).
      const message = (error instanceof Error ? error.message : String(error)).trim().replace(/\n/g, ' ');
      return this.finish(message, `TASK ERROR: ${message}`);
    }
    if (this.warnings > 0)
      return this.finish(`WARNINGS: ${this.warnings}`, `TASK WARNINGS: ${this.warnings}`);
    return this.finish('OK', 'TASK OK');
  }

  /** A task of the seeded history: its whole log at once, finished at `endtime` (epoch s). */
  finishPast(lines: string[], exitstatus: string, endtime: number): void {
    this.lines.push(...lines);
    this.record.status = 'stopped';
    this.record.exitstatus = exitstatus;
    this.record.endtime = endtime;
  }

  private finish(exitstatus: string, finalLine: string | null): void {
    if (finalLine !== null) this.lines.push(finalLine);
    this.record.status = 'stopped';
    this.record.exitstatus = exitstatus;
    this.record.endtime = Math.floor(this.now() / 1000) + this.clockOffset;
    for (const listener of this.doneListeners.splice(0)) listener(this);
  }
}
