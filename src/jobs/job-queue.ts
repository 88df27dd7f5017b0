// The producer side: the core enqueues jobs here, cancels them and lists them. It never talks to
// PVE; the worker does.
import { createHash, randomUUID } from 'node:crypto';
import { type JobState as BullJobState, type Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import { CancelRequests } from './cancel-requests.js';
import { type JobControl, JobControls } from './job-controls.js';
import type { JobData } from './job-data.js';
import { JobError, JobErrorCode } from './job-error.js';
import type { ThreadRef } from './job-events.js';
import { type JobKindRegistry, type JobOutcome, lockTargets } from './job-kind.js';
import { jobKinds as defaultKinds } from './kinds/index.js';
import type { OutboxWriter } from './outbox/outbox-writer.js';
import { ResourceLocks } from './resource-locks.js';
import { mayHaveBeenSent, RevokedSubmissions } from './revoked-submissions.js';
import { isStoreUnavailable, StoreUnavailableError } from './store-unavailable.js';
import { validateJobRequest } from './validate-job-request.js';

export const JOB_QUEUE_NAME = 'jobs';

export interface EnqueueRequest {
  kind: string;
  payload: unknown;
  thread: ThreadRef;
  /** More places the result goes to. */
  copies?: ThreadRef[];
  requestedBy: string;
  /** The requester's platform-qualified id (who may pause, abort or cancel it). */
  requestedById?: string;
  /** The policy entry of the command it comes from (see JobData.command). */
  command?: string;
  /** How disruptive that command was as asked (see JobData.commandRisk). */
  commandRisk?: 'read' | 'disruptive';
  /** Snapshots first (see JobData.safetyNet). */
  safetyNet?: JobData['safetyNet'];
  /** Runs later: delayed until `startAt`, reminded at `remindAt` (see JobData.schedule). */
  schedule?: JobData['schedule'];
  /** The cluster it runs on (see JobData.cluster). */
  cluster?: string;
  /**
   * A job id derived from what caused the job (see jobIdForApproval): a second enqueue with the
   * same id (a double click, a redelivered chat event) adds nothing.
   */
  jobId?: string;
}

/** The id of a scheduled job's reminder. */
export function reminderJobId(jobId: string): string {
  return `remind-${jobId}`;
}

export interface Enqueued {
  jobId: string;
  /** True when a job with this id already existed: nothing new was added. */
  duplicate: boolean;
}

export type CancelOutcome =
  | { status: 'cancelled' } // it had not started: removed, and the chat told
  | { status: 'cancelling' } // it runs: its worker stops the PVE task within a poll
  | { status: 'finished'; state: string }
  | { status: 'unknown' };

export type ControlOutcome =
  | { status: 'set'; control: JobControl | undefined } // recorded; the job acts at its next step boundary
  | { status: 'not-controllable'; kind: string } // only cancel applies to this kind
  | { status: 'finished'; state: string }
  | { status: 'unknown' };

export interface JobInfo {
  jobId: string;
  kind: string;
  state: BullJobState | 'unknown';
  requestedBy: string;
  requestedById?: string;
  requestedAt: number;
  /** The policy entry of the command it comes from, when known (see JobData.command). */
  command?: string;
  commandRisk?: 'read' | 'disruptive';
  /** As it was enqueued (validated then), for the decisions that depend on it (a private result). */
  payload: unknown;
  thread: ThreadRef;
  summary?: string;
  error?: string;
  /** When it starts, for a scheduled job (see JobData.schedule). */
  schedule?: JobData['schedule'];
  /** When a worker first started it; absent while it waits. */
  startedAt?: number;
  /** The cluster it runs on (several clusters). */
  cluster?: string;
}

export interface JobQueueOptions {
  /**
   * The bot's intake connection (createIntakeRedis): an enqueue Redis does not confirm at once
   * fails, and is revoked (see RevokedSubmissions), instead of waiting to run late.
   */
  redis: Redis;
  prefix: string;
  outbox: OutboxWriter;
  kinds?: JobKindRegistry;
  /** Attempts for transient failures (connection, 595, pveproxy restarts). Default 5. */
  attempts?: number;
  /** First retry delay; doubles each time. Default 2 s. */
  backoffMs?: number;
  logger?: Logger;
}

/** BullMQ job ids may not contain ':' or be plain integers. */
export function jobIdForApproval(approvalId: string): string {
  return `approval-${approvalId.replaceAll(':', '-')}`;
}

/**
 * The job a platform delivery starts (its request id): handled again after a replica died midway,
 * it finds its job already there instead of queueing a second.
 */
export function jobIdForRequest(requestId: string): string {
  return `request-${createHash('sha256').update(requestId).digest('hex').slice(0, 32)}`;
}

/** The submission of every run of a job scheduler (the digest, the cluster watch): nobody's request. */
export const SCHEDULED_SUBMISSION = 'scheduler:';

export class JobQueue {
  readonly #queue: Queue<JobData, JobOutcome>;
  readonly #kinds: JobKindRegistry;
  readonly #outbox: OutboxWriter;
  readonly #cancels: CancelRequests;
  readonly #controls: JobControls;
  readonly #locks: ResourceLocks;
  readonly #revoked: RevokedSubmissions;

  constructor(options: JobQueueOptions) {
    this.#kinds = options.kinds ?? defaultKinds;
    this.#outbox = options.outbox;
    this.#cancels = new CancelRequests(options.redis, options.prefix);
    this.#controls = new JobControls(options.redis, options.prefix);
    this.#locks = new ResourceLocks(options.redis, { prefix: options.prefix, ttlMs: 0 });
    this.#revoked = new RevokedSubmissions(options.redis, options.prefix, options.logger);
    this.#queue = new Queue<JobData, JobOutcome>(JOB_QUEUE_NAME, {
      connection: options.redis,
      prefix: options.prefix,
      defaultJobOptions: {
        attempts: options.attempts ?? 5,
        backoff: { type: 'exponential', delay: options.backoffMs ?? 2_000 },
        // Kept for `/pve jobs` and the audit; trimmed so Redis does not grow without bound.
        removeOnComplete: { age: 7 * 24 * 3600, count: 5_000 },
        removeOnFail: { age: 30 * 24 * 3600, count: 5_000 },
      },
    });
    // BullMQ re-emits its connection's errors here, and prints them (stack and all) when nobody
    // listens; the connection already logs them, once per 10 s.
    this.#queue.on('error', () => undefined);
  }

  /** Validates the payload against its kind (a clear error, before anything is queued) and adds the job. */
  async enqueue(request: EnqueueRequest): Promise<Enqueued> {
    const { kind, payload } = validateJobRequest(this.#kinds, request);
    const submission = randomUUID();
    const data: JobData = {
      kind: kind.name,
      payload,
      thread: request.thread,
      ...(request.copies && request.copies.length > 0 ? { copies: request.copies } : {}),
      requestedBy: request.requestedBy,
      ...(request.requestedById === undefined ? {} : { requestedById: request.requestedById }),
      requestedAt: Date.now(),
      ...(request.command === undefined ? {} : { command: request.command }),
      ...(request.commandRisk === undefined ? {} : { commandRisk: request.commandRisk }),
      ...(request.safetyNet === undefined ? {} : { safetyNet: request.safetyNet }),
      ...(request.schedule === undefined ? {} : { schedule: request.schedule }),
      ...(request.cluster === undefined ? {} : { cluster: request.cluster }),
      submission,
      state: { steps: {}, memo: {} },
    };
    const delay = request.schedule ? Math.max(0, request.schedule.startAt - Date.now()) : 0;
    try {
      const job = await this.#queue.add(kind.name, data, {
        jobId: request.jobId ?? randomUUID(),
        ...(delay > 0 ? { delay } : {}),
      });
      if (request.schedule?.remindAt !== undefined) await this.#addReminder(job.id as string, data);
      if (request.jobId === undefined) return { jobId: job.id as string, duplicate: false };
      // BullMQ ignores an add whose id exists but hands back our own data: read what is stored.
      const stored = await this.#queue.getJob(job.id as string);
      return {
        jobId: job.id as string,
        duplicate: stored !== undefined && stored.data.submission !== submission,
      };
    } catch (error) {
      if (!isStoreUnavailable(error)) throw error;
      // The caller says "not accepted, nothing will run": make it true if the add lands later.
      if (mayHaveBeenSent(error)) this.#revoked.revoke(submission);
      throw new StoreUnavailableError((error as Error).message, { cause: error });
    }
  }

  /**
   * Asks for a job to stop. A job that has not started is removed at once; a running one is
   * stopped by its worker, which deletes the PVE task and reports who cancelled it.
   */
  async cancel(jobId: string, by: string): Promise<CancelOutcome> {
    const job = await this.#queue.getJob(jobId);
    if (!job) return { status: 'unknown' };
    const state = await job.getState();
    if (state === 'completed' || state === 'failed') return { status: 'finished', state };
    await this.#cancels.request(jobId, by);
    // A scheduled job still waiting for its start has not started either: removed, with its reminder.
    const unstarted =
      state === 'waiting' ||
      state === 'prioritized' ||
      (state === 'delayed' && job.data.schedule !== undefined && job.data.state.startedAt === undefined);
    if (unstarted && (await this.#removeUnstarted(job, by))) {
      await this.#queue.remove(reminderJobId(jobId)).catch(() => undefined);
      return { status: 'cancelled' };
    }
    if (state === 'delayed') await job.promote().catch(() => undefined); // its next slice sees the request now
    return { status: 'cancelling' };
  }

  /**
   * Runs a job on a cron schedule in a time zone (BullMQ job scheduler): an idempotent upsert, so
   * every replica may call it at boot and one job still runs per tick. Its result goes to
   * `threads` (the first is the job's thread, the others copies).
   */
  async schedule(
    schedulerId: string,
    repeat: { pattern: string; tz: string },
    job: {
      kind: string;
      payload: unknown;
      threads: [ThreadRef, ...ThreadRef[]];
      requestedBy: string;
      /** The cluster each run reads (several clusters). */
      cluster?: string;
    },
  ): Promise<{ next: number | undefined }> {
    const kind = this.#kinds.get(job.kind);
    if (!kind) throw new JobError(JobErrorCode.UnknownKind, `no job kind '${job.kind}'`);
    const payload = kind.payload.parse(job.payload);
    const [thread, ...copies] = job.threads;
    const data: JobData = {
      kind: kind.name,
      payload,
      thread,
      ...(copies.length > 0 ? { copies } : {}),
      requestedBy: job.requestedBy,
      requestedAt: Date.now(),
      ...(job.cluster === undefined ? {} : { cluster: job.cluster }),
      submission: `${SCHEDULED_SUBMISSION}${schedulerId}`,
      state: { steps: {}, memo: {} },
    };
    await this.#queue.upsertJobScheduler(schedulerId, repeat, { name: kind.name, data });
    return { next: (await this.#queue.getJobScheduler(schedulerId))?.next };
  }

  /** Stops a schedule (e.g. the digest once no channel is configured for it). */
  async unschedule(schedulerId: string): Promise<void> {
    await this.#queue.removeJobScheduler(schedulerId);
  }

  /** Pause, Resume or Abort a job that stops only between its steps (a rolling upgrade). */
  async control(jobId: string, action: 'pause' | 'resume' | 'abort', by: string): Promise<ControlOutcome> {
    const job = await this.#queue.getJob(jobId);
    if (!job) return { status: 'unknown' };
    if (this.#kinds.get(job.data.kind)?.controllable !== true)
      return { status: 'not-controllable', kind: job.data.kind };
    const state = await job.getState();
    if (state === 'completed' || state === 'failed') return { status: 'finished', state };
    const control = await this.#controls.set(jobId, action, by);
    if (state === 'delayed') await job.promote().catch(() => undefined); // it reacts at once
    return { status: 'set', control };
  }

  async get(jobId: string): Promise<JobInfo | undefined> {
    const job = await this.#queue.getJob(jobId);
    return job ? this.#info(job) : undefined;
  }

  /** The newest jobs first, for `/pve jobs`. */
  async list(
    states: BullJobState[] = ['active', 'waiting', 'delayed', 'completed', 'failed'],
    limit = 20,
  ): Promise<JobInfo[]> {
    const jobs = await this.#queue.getJobs(states, 0, limit - 1, false);
    return Promise.all(
      jobs.filter((job): job is Job<JobData, JobOutcome> => job !== undefined).map((job) => this.#info(job)),
    );
  }

  /** How many jobs wait or run, for /metrics and the bench. */
  counts(): Promise<Record<string, number>> {
    return this.#queue.getJobCounts('active', 'waiting', 'delayed', 'completed', 'failed');
  }

  get queue(): Queue<JobData, JobOutcome> {
    return this.#queue;
  }

  close(): Promise<void> {
    return this.#queue.close();
  }

  /**
   * The reminder of a scheduled job: a `reminder` job delayed until `remindAt`, reporting into the
   * same thread. Its id derives from the job's, so adding it twice adds it once.
   */
  async #addReminder(jobId: string, job: JobData): Promise<void> {
    const schedule = job.schedule!;
    const delay = Math.max(0, (schedule.remindAt ?? 0) - Date.now());
    const data: JobData = {
      kind: 'reminder',
      payload: {
        jobId,
        kind: job.kind,
        startAt: schedule.startAt,
        ...(schedule.startText ? { startText: schedule.startText } : {}),
        ...(schedule.window ? { window: schedule.window } : {}),
      },
      thread: job.thread,
      requestedBy: job.requestedBy,
      ...(job.requestedById === undefined ? {} : { requestedById: job.requestedById }),
      requestedAt: job.requestedAt,
      submission: `${SCHEDULED_SUBMISSION}${randomUUID()}`,
      state: { steps: {}, memo: {} },
    };
    await this.#queue.add('reminder', data, { jobId: reminderJobId(jobId), ...(delay > 0 ? { delay } : {}) });
  }

  async #removeUnstarted(job: Job<JobData, JobOutcome>, by: string): Promise<boolean> {
    try {
      await job.remove();
    } catch {
      return false; // a worker took it meanwhile: it will see the cancel request
    }
    const kind = this.#kinds.get(job.data.kind);
    const payload = kind?.payload.safeParse(job.data.payload);
    // A job retried after a transient failure may still hold its locks from the earlier attempt.
    if (kind && payload?.success)
      await this.#locks.release(lockTargets(kind, payload.data, job.data.cluster), job.id as string);
    await this.#cancels.clear(job.id as string);
    await this.#outbox.publish(job.data.thread, {
      type: 'result',
      jobId: job.id as string,
      kind: job.data.kind,
      ok: false,
      summary: `${job.data.kind} cancelled by ${by} before it started`,
      error: `cancelled by ${by}`,
      code: JobErrorCode.Cancelled,
      at: Date.now(),
    });
    return true;
  }

  async #info(job: Job<JobData, JobOutcome>): Promise<JobInfo> {
    const final = job.data.state?.final;
    return {
      jobId: job.id as string,
      kind: job.data.kind,
      state: await job.getState(),
      requestedBy: job.data.requestedBy,
      ...(job.data.requestedById === undefined ? {} : { requestedById: job.data.requestedById }),
      requestedAt: job.data.requestedAt,
      ...(job.data.command === undefined ? {} : { command: job.data.command }),
      ...(job.data.commandRisk === undefined ? {} : { commandRisk: job.data.commandRisk }),
      payload: job.data.payload,
      thread: job.data.thread,
      ...(final?.summary === undefined ? {} : { summary: final.summary }),
      ...(final?.error === undefined ? {} : { error: final.error }),
      ...(job.data.schedule === undefined ? {} : { schedule: job.data.schedule }),
      ...(job.data.state?.startedAt === undefined ? {} : { startedAt: job.data.state.startedAt }),
      ...(job.data.cluster === undefined ? {} : { cluster: job.data.cluster }),
    };
  }
}
