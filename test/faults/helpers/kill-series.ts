// One simulator, one Redis prefix and a chain of `pve-chatops worker` processes, reused run after
// run: each run enqueues a job, kills the worker at its kill point (SIGKILL, from inside the
// simulator's request path, so "right after the POST" means PVE has started the task and the
// worker never read the answer), starts the next worker, and waits for the job's result.
import type { ResultEvent } from '../../../src/jobs/job-events.js';
import type { TaskRecord } from '../../../src/sim/cluster/sim-task.js';
import type { RecordedRequest, RecordedSshCommand } from '../../../src/sim/types.js';
import { type JobHarness, REDIS_URL, startJobHarness } from '../../jobs/helpers/job-harness.js';
import { type SimEvent, watchSim } from './sim-watch.js';
import { type WorkerProcess, WorkerProcesses } from './worker-processes.js';

/** What the simulator saw during one run, in order. */
export interface RunLog {
  requests: RecordedRequest[];
  ssh: RecordedSshCommand[];
  tasks: TaskRecord[];
  /** Nodes that came up (after a reboot). */
  boots: string[];
}

/** Kill now, kill after a delay, or not at this event. */
export type Decision = 'kill' | { afterMs: number } | undefined;
export type Trigger = (event: SimEvent) => Decision;

export interface KillPoint {
  /** Where in the job: "before the POST", "mid dist-upgrade"… */
  phase: string;
  /** The seeded part: which request, how long after. */
  detail: string;
  trigger: Trigger;
}

export interface Findings {
  /** A PVE task (or a reboot, or an install) that happened more than once. */
  duplicates: string[];
  /** Anything else wrong: no kill, a failed job, a guest in the wrong place. */
  problems: string[];
}

export interface RunRecord extends Findings {
  run: number;
  phase: string;
  detail: string;
  /** The event the kill happened at, or undefined if the job finished first. */
  killedAt: string | undefined;
  jobId: string;
  ms: number;
  /** From the kill to the next API request (the new worker resuming the job). */
  takeoverMs: number | undefined;
}

export const LOCK_MS = 1_000;
/** Long enough for a slow CI machine; a run takes a few seconds. */
const RESULT_DEADLINE_MS = 90_000;

export function describeEvent(event: SimEvent): string {
  switch (event.type) {
    case 'request': {
      const path = decodeURIComponent(event.request.path).replace(/UPID:[^/]+/, (upid) => {
        const [, , , , , type, id] = upid.split(':');
        return `UPID(${type}${id ? ` ${id}` : ''})`;
      });
      return `${event.request.method} ${path}`;
    }
    case 'ssh':
      return `ssh ${event.command.node} ${event.command.command.replace(/^DEBIAN_FRONTEND.*dist-upgrade$/, 'apt-get dist-upgrade')}`;
    case 'task':
      return `task ${event.task.type} ${event.task.id}`;
    case 'boot':
      return `${event.node} up`;
  }
}

export class KillSeries {
  readonly name: string;
  /** The seed its kill points were drawn with, for the messages. */
  readonly seed: number;
  readonly h: JobHarness;
  readonly workers: WorkerProcesses;
  readonly records: RunRecord[] = [];
  #current: WorkerProcess;

  private constructor(name: string, seed: number, h: JobHarness, entry: string) {
    this.name = name;
    this.seed = seed;
    this.h = h;
    this.workers = new WorkerProcesses(entry, {
      ...h.sim.env(),
      REDIS_URL,
      REDIS_PREFIX: h.prefix,
      // Workers serve /healthz and /metrics on PORT: a free port each, they run side by side.
      PORT: '0',
      // The shortest lock the config accepts: a killed worker's job is taken over within ~2 s
      // (the worker's stalled-job check runs every max(1 s, lock/2)).
      WORKER_LOCK_MS: String(LOCK_MS),
      LOG_LEVEL: 'warn',
    });
    this.#current = this.workers.start();
  }

  /** `entry`: the built worker (buildWorker in worker-processes.ts). */
  static async start(name: string, seed: number, speed: number, entry: string): Promise<KillSeries> {
    return new KillSeries(name, seed, await startJobHarness({ speed }), entry);
  }

  /** How many workers were killed. */
  get kills(): number {
    return this.records.filter((r) => r.killedAt !== undefined).length;
  }

  /** A job with no kill (setting the scene); resolves with its result. */
  async plain(enqueue: () => Promise<string>): Promise<ResultEvent> {
    return withDeadline(
      this.h.result(await enqueue()),
      RESULT_DEADLINE_MS,
      `${this.name}: a job without a kill`,
    );
  }

  /**
   * One run: arms the kill point, enqueues the job, waits for its result in the thread, then
   * asks `check` what went wrong, given what the simulator saw during the run.
   */
  async run(
    run: number,
    point: KillPoint,
    enqueue: () => Promise<string>,
    check: (result: ResultEvent, log: RunLog) => Findings,
  ): Promise<RunRecord> {
    const log: RunLog = { requests: [], ssh: [], tasks: [], boots: [] };
    let killedAt: string | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let killedMs = 0;
    let resumedMs = 0;
    const kill = (at: string) => {
      if (killedAt !== undefined) return;
      killedAt = at;
      killedMs = performance.now();
      this.#current.kill();
      this.#current = this.workers.start();
    };
    const unwatch = watchSim(this.h.sim, (event) => {
      if (event.type === 'request') log.requests.push(event.request);
      else if (event.type === 'ssh') log.ssh.push(event.command);
      else if (event.type === 'task') log.tasks.push(event.task);
      else log.boots.push(event.node);
      if (killedAt !== undefined && resumedMs === 0 && event.type === 'request')
        resumedMs = performance.now();
      if (killedAt !== undefined || timer !== undefined) return;
      const decision = point.trigger(event);
      if (decision === 'kill') kill(describeEvent(event));
      else if (decision) {
        const at = `${describeEvent(event)} +${decision.afterMs} ms`;
        timer = setTimeout(() => kill(at), decision.afterMs);
      }
    });
    const started = performance.now();
    let jobId = '';
    try {
      jobId = await enqueue();
      const result = await withDeadline(
        this.h.result(jobId),
        RESULT_DEADLINE_MS,
        `${this.name} run ${run} (seed ${this.seed}, ${point.phase}, ${point.detail}): no result in the thread`,
      );
      const findings = check(result, log);
      if (killedAt === undefined) findings.problems.push('the job ended before its kill point was reached');
      const record: RunRecord = {
        run,
        phase: point.phase,
        detail: point.detail,
        killedAt,
        jobId,
        ms: Math.round(performance.now() - started),
        takeoverMs: resumedMs > 0 ? Math.round(resumedMs - killedMs) : undefined,
        ...findings,
      };
      this.records.push(record);
      return record;
    } finally {
      clearTimeout(timer);
      unwatch();
    }
  }

  /** Every job's result reached the thread exactly once. */
  resultCounts(): string[] {
    return this.records.flatMap((r) => {
      const results = this.h.events.filter((e) => e.type === 'result' && e.jobId === r.jobId).length;
      return results === 1 ? [] : [`run ${r.run}: ${results} results in the thread for job ${r.jobId}`];
    });
  }

  /** One line per run, for the test output. */
  report(): string {
    const lines = this.records.map(
      (r) =>
        `  ${String(r.run).padStart(2)} ${r.phase.padEnd(28)} ${r.detail.padEnd(16)} killed at ${(r.killedAt ?? '-').padEnd(52)} ${String(r.ms).padStart(6)} ms (takeover ${r.takeoverMs ?? '-'} ms)` +
        (r.duplicates.length + r.problems.length > 0
          ? `  ✗ ${[...r.duplicates, ...r.problems].join('; ')}`
          : ''),
    );
    const total = this.records.reduce((sum, r) => sum + r.ms, 0);
    const duplicates = this.records.reduce((sum, r) => sum + r.duplicates.length, 0);
    return [
      `${this.name} (seed ${this.seed}): ${this.records.length} runs, ${this.kills} kills, ${duplicates} duplicates, ` +
        `${this.workers.started} worker processes, ${Math.round(total / Math.max(1, this.records.length))} ms per run`,
      ...lines,
    ].join('\n');
  }

  async stop(): Promise<void> {
    await this.workers.stop();
    await this.h.stop();
  }
}

export function withDeadline<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${message} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

// Kill points. A request counts when the simulator has answered it, just before the answer is
// written: a kill there means PVE did the work and the worker never heard back.

/** Kills at the n-th event matching (counting only once `after` has been seen, if given). */
export function nth(
  n: number,
  match: (event: SimEvent) => boolean,
  after?: (event: SimEvent) => boolean,
): Trigger {
  let open = after === undefined;
  let seen = 0;
  return (event) => {
    if (!open) {
      open = after?.(event) === true;
      return undefined;
    }
    if (!match(event)) return undefined;
    seen++;
    return seen === n ? 'kill' : undefined;
  };
}

/** Kills `afterMs` after the first event matching. */
export function delayAfter(afterMs: number, match: (event: SimEvent) => boolean): Trigger {
  return (event) => (match(event) ? { afterMs } : undefined);
}

export const request =
  (match: (request: RecordedRequest) => boolean) =>
  (event: SimEvent): boolean =>
    event.type === 'request' && match(event.request);

export const anyRequest = request(() => true);

export const post = (path: RegExp) => request((r) => r.method === 'POST' && path.test(r.path));

/** A GET of a task's status, for a task type (and starter, e.g. `root@pam` for the HA stack). */
export const taskPoll = (type: string, user?: string) =>
  request((r) => {
    if (r.method !== 'GET' || !r.path.endsWith('/status') || !r.path.includes('/tasks/')) return false;
    const upid = decodeURIComponent(r.path);
    return upid.includes(`:${type}:`) && (user === undefined || upid.includes(`:${user}:`));
  });

export const ssh =
  (match: (command: string) => boolean) =>
  (event: SimEvent): boolean =>
    event.type === 'ssh' && match(event.command.command);

export function positiveInt(variable: string, fallback: number): number {
  const raw = process.env[variable];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`${variable} must be a positive integer (got '${raw}')`);
  return value;
}
