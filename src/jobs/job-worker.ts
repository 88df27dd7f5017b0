// Runs jobs: one BullMQ worker, each job in short slices. A slice takes the job's locks, runs its
// kind's processor until it finishes or the slice time is up, and then either reports the result
// or saves its place and puts the job back as delayed. So no BullMQ lock is held for the minutes a
// migration takes, and a worker that dies loses at most one slice: another worker resumes the job
// from the UPID it saved (docs/architecture.md, "Durability").

import { setMaxListeners } from 'node:events';
import { DelayedError, type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { type Logger, silentLogger } from '../logger.js';
import type { JobOutcomeLabel, Metrics } from '../metrics.js';
import type { ProxmoxClient } from '../proxmox/proxmox-client.js';
import type { SshRunner } from '../proxmox/ssh/ssh-runner.js';
import type { PollInterval } from '../proxmox/wait-for-task.js';
import { ClaimedUpids } from './adopt-task.js';
import { AlertPublisher } from './alerts/alert-publisher.js';
import type { AlertRoute } from './alerts/alert-routes.js';
import { AlertStore } from './alerts/alert-store.js';
import { CancelRequests } from './cancel-requests.js';
import { failureCode, failureText, isTransientFailure } from './classify-failure.js';
import { alertOn, offersOn, stateNameOn } from './cluster-scoped.js';
import { JobControls } from './job-controls.js';
import { type JobData, jobDataSchema } from './job-data.js';
import { JobError, JobErrorCode } from './job-error.js';
import type { ResultEvent, ThreadRef } from './job-events.js';
import {
  type JobKind,
  type JobKindRegistry,
  type JobOutcome,
  type LockTarget,
  lockTargets,
} from './job-kind.js';
import { JOB_QUEUE_NAME, SCHEDULED_SUBMISSION } from './job-queue.js';
import { redisKindState } from './kind-state.js';
import { jobKinds as defaultKinds } from './kinds/index.js';
import type { OutboxWriter } from './outbox/outbox-writer.js';
import { closeRedis } from './redis-connection.js';
import { ResourceLocks } from './resource-locks.js';
import { RevokedSubmissions } from './revoked-submissions.js';
import { type CancelRequest, SliceContext, SliceEnded } from './slice-context.js';
import { SAFETY_NET_MEMO, type SafetySnapshot, safetyNetStep } from './steps/safety-net-step.js';
import { missedWindow, unfitCluster } from './steps/scheduled-start-check.js';

/** One cluster's connections, for a worker that drives several. */
export interface ClusterConnection {
  pve: ProxmoxClient;
  ssh?: SshRunner | undefined;
  pveUser: string;
}

export interface JobWorkerOptions {
  /** A connection with `maxRetriesPerRequest: null`; the worker duplicates it for blocking reads. */
  redis: Redis;
  /** Namespaces every key (REDIS_PREFIX). */
  prefix: string;
  pve: ProxmoxClient;
  /** SSH to the nodes, for upgrades and HA node maintenance (SSH_*); optional. */
  ssh?: SshRunner | undefined;
  /** The API token id, as PVE records it in the UPIDs of the tasks we start. */
  pveUser: string;
  /**
   * Several clusters (PVE_CLUSTERS_FILE), by name: a job whose JobData.cluster names one runs with
   * its client, SSH and token; a job without runs with `pve`, `ssh` and `pveUser`.
   */
  clusters?: ReadonlyMap<string, ClusterConnection> | undefined;
  outbox: OutboxWriter;
  kinds?: JobKindRegistry;
  concurrency?: number;
  /** BullMQ job lock: how soon a dead worker's job is taken over. Default 30 s. */
  lockMs?: number;
  /** Longest time one slice runs before the job is put back as delayed. Default 10 s. */
  sliceMs?: number;
  /** Pause between two slices of a job still waiting on PVE. Default 1 s. */
  resumeDelayMs?: number;
  /**
   * A job that could not start within this long of its request is not run but reported
   * (JOB_START_DEADLINE_SECONDS). Default 60 s.
   */
  startDeadlineMs?: number;
  pollInterval?: PollInterval;
  logger?: Logger;
  /** Counts each job's result by kind and outcome, with its duration; nothing without it. */
  metrics?: Metrics | undefined;
  /** ALERT_ROUTES: where new alerts go by type and severity (else each job's own threads). */
  alertRoutes?: readonly AlertRoute[];
}

const CANCEL_POLL_MS = 500;
export const DEFAULT_START_DEADLINE_MS = 60_000;

export class JobWorker {
  /** The running slices, ended at once by close(). */
  readonly #slices = new Set<AbortController>();
  /** Per running job: aborted when BullMQ could not renew its lock. */
  readonly #renewals = new Map<string, AbortController>();
  readonly #options: Required<
    Omit<JobWorkerOptions, 'pollInterval' | 'ssh' | 'metrics' | 'alertRoutes' | 'clusters'>
  > & {
    clusters?: ReadonlyMap<string, ClusterConnection> | undefined;
    pollInterval?: PollInterval;
    ssh?: SshRunner | undefined;
    metrics?: Metrics | undefined;
  };
  readonly #locks: ResourceLocks;
  readonly #cancels: CancelRequests;
  readonly #controls: JobControls;
  readonly #claimed: ClaimedUpids;
  readonly #revoked: RevokedSubmissions;
  readonly #alerts: AlertPublisher;
  readonly #worker: Worker<JobData, JobOutcome>;
  /** The worker's own connection (BullMQ blocks on it): ours to close. */
  readonly #connection: Redis;

  constructor(options: JobWorkerOptions) {
    this.#options = {
      kinds: defaultKinds,
      concurrency: 8,
      lockMs: 30_000,
      sliceMs: 10_000,
      resumeDelayMs: 1_000,
      startDeadlineMs: DEFAULT_START_DEADLINE_MS,
      logger: silentLogger,
      ...options,
    };
    const { redis, prefix, lockMs } = this.#options;
    // A job keeps its guest locks between slices and through a takeover after a crash: they must
    // outlive the BullMQ lock plus a stalled-check round, and the longest retry backoff.
    this.#locks = new ResourceLocks(redis, { prefix, ttlMs: Math.max(120_000, 4 * lockMs) });
    this.#cancels = new CancelRequests(redis, prefix);
    this.#controls = new JobControls(redis, prefix);
    this.#claimed = new ClaimedUpids(redis, prefix);
    this.#revoked = new RevokedSubmissions(redis, prefix);
    this.#alerts = new AlertPublisher({
      store: new AlertStore(redis, { prefix }),
      publish: (thread, event) => this.#publish(thread, event),
      ...(options.alertRoutes ? { routes: options.alertRoutes } : {}),
    });
    this.#connection = redis.duplicate();
    this.#worker = new Worker<JobData, JobOutcome>(
      JOB_QUEUE_NAME,
      (job, token, signal) => this.#process(job, token, signal),
      {
        connection: this.#connection,
        prefix,
        concurrency: this.#options.concurrency,
        lockDuration: lockMs,
        stalledInterval: Math.max(1_000, Math.floor(lockMs / 2)),
        // Slices are short, so a job only stalls when its worker died; allow several such deaths.
        maxStalledCount: 10,
        autorun: false,
      },
    );
    this.#worker.on('lockRenewalFailed', (jobIds) => {
      for (const id of jobIds) {
        const renewal = this.#renewals.get(id);
        if (!renewal) continue;
        this.#options.logger.warn({ jobId: id }, 'lost the job lock (Redis away too long): this run stops');
        renewal.abort(new Error('the job lock could not be renewed'));
      }
    });
    this.#worker.on('failed', (job, error) => {
      if (job) void this.#reportOutsideFailure(job, error);
    });
    this.#worker.on('error', (error) =>
      this.#options.logger.warn({ err: error.message }, 'job worker error'),
    );
  }

  /** Starts taking jobs; resolves once the worker is connected. */
  async start(): Promise<void> {
    void this.#worker.run();
    await this.#worker.waitUntilReady();
  }

  /**
   * Graceful stop (SIGTERM): takes no new job, ends every running slice now (each saves its place
   * and goes back to the queue as delayed, as at the end of any slice; a step that must not be
   * cut, like a dist-upgrade, finishes first), then disconnects. Another worker, or this one
   * restarted, resumes those jobs where they stopped: a restart mid-migration loses nothing.
   */
  async close(): Promise<void> {
    // With Redis away, a slice cannot save its place nor BullMQ say goodbye: waiting for them
    // would wait for Redis. Its jobs resume elsewhere once their locks expire.
    const closing = this.#worker.close(this.#connection.status !== 'ready');
    for (const slice of this.#slices) slice.abort(new SliceEnded('the worker is stopping'));
    await closing;
    // BullMQ does not close a connection it was handed; left open, it keeps the process alive.
    await closeRedis(this.#connection);
  }

  /**
   * A job whose BullMQ lock could not be renewed (Redis was away longer than the lock) may already
   * run again elsewhere (or here) after the stalled-job check: this run ends its slice at once,
   * so one job never runs twice at the same time nor reports twice.
   */
  async #process(
    job: Job<JobData, JobOutcome>,
    token: string | undefined,
    lockLost?: AbortSignal,
  ): Promise<JobOutcome> {
    const jobId = job.id as string;
    const renewal = new AbortController();
    this.#renewals.set(jobId, renewal);
    try {
      return await this.#processSlice(job, token, renewal.signal, lockLost);
    } finally {
      if (this.#renewals.get(jobId) === renewal) this.#renewals.delete(jobId);
    }
  }

  async #processSlice(
    job: Job<JobData, JobOutcome>,
    token: string | undefined,
    renewalFailed: AbortSignal,
    lockLost?: AbortSignal,
  ): Promise<JobOutcome> {
    const { logger } = this.#options;
    const jobId = job.id as string;
    const parsed = jobDataSchema.safeParse(job.data);
    if (!parsed.success) {
      logger.error({ jobId, issues: parsed.error.issues }, 'job data does not match the job envelope');
      throw new UnrecoverableError(`job ${jobId} has malformed data`);
    }
    const data = parsed.data;
    const kind = this.#options.kinds.get(data.kind);
    const final = data.state.final;
    if (final) {
      // Reported before a crash: only finish what the crash interrupted.
      if (kind) await this.#releaseLocks(kind, data, jobId);
      if (!final.ok) throw new UnrecoverableError(final.error ?? final.summary);
      return { summary: final.summary };
    }
    if (!kind) {
      return this.#fail(
        job,
        data,
        undefined,
        new JobError(JobErrorCode.UnknownKind, `no job kind '${data.kind}'`),
      );
    }
    const payload = kind.payload.safeParse(data.payload);
    if (!payload.success) {
      const detail = payload.error.issues
        .map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`)
        .join('; ');
      return this.#fail(
        job,
        data,
        undefined,
        new JobError(JobErrorCode.InvalidPayload, `invalid ${kind.name} job: ${detail}`),
      );
    }
    if (!hasStarted(job, data)) {
      const refusal = await this.#whyNotStart(data, kind);
      if (refusal) return this.#notStarted(job, data, kind, refusal);
      // Approved for later: the cluster must still be fit for it now.
      const unfit = data.schedule
        ? await unfitCluster(this.#clusterOf(data).pve, lockTargets(kind, payload.data))
        : undefined;
      if (unfit) return this.#notStarted(job, data, kind, unfit);
      // Recorded before anything runs: from here on, no deadline applies to this job.
      data.state.startedAt = Date.now();
      await job.updateData(data);
    }
    const targets = lockTargets(kind, payload.data, data.cluster);
    const busy = await this.#locks.acquire(targets, {
      jobId,
      kind: kind.name,
      requestedBy: data.requestedBy,
    });
    if (busy) {
      const holder = busy.holder;
      const message =
        `${busy.target.label} is busy: job ${holder.jobId} (${holder.kind}, asked by ${holder.requestedBy}) ` +
        'is working on it. Try again when it has finished, or cancel it.';
      // Nothing was taken, so nothing to release: report and stop.
      return this.#fail(job, data, undefined, new JobError(JobErrorCode.Busy, message));
    }

    const slice = new AbortController();
    this.#slices.add(slice);
    // Ended like any slice: the job goes back to the queue if it is still ours, and if another
    // run took it over meanwhile, BullMQ refuses our move and that run alone carries on.
    const endOnRenewalFailure = () => slice.abort(new SliceEnded('the job lock could not be renewed'));
    if (renewalFailed.aborted) endOnRenewalFailure();
    else renewalFailed.addEventListener('abort', endOnRenewalFailure, { once: true });
    const cancel = new AbortController();
    const signals = [slice.signal, cancel.signal, ...(lockLost ? [lockLost] : [])];
    const sliceTimer = setTimeout(
      () => slice.abort(new SliceEnded('slice time is up')),
      this.#options.sliceMs,
    );
    const renewTimer = setInterval(
      () => {
        this.#locks
          .renew(targets, jobId)
          .catch((error: Error) => logger.warn({ jobId, err: error.message }, 'lock renewal failed'));
      },
      Math.max(1_000, Math.floor(this.#locks.ttlMs / 3)),
    );
    const watchCancel = async () => {
      const by = await this.#cancels.requestedBy(jobId).catch(() => undefined);
      if (by !== undefined && !cancel.signal.aborted) cancel.abort({ by } satisfies CancelRequest);
    };
    await watchCancel();
    const cancelTimer = setInterval(() => void watchCancel(), CANCEL_POLL_MS);
    const signal = AbortSignal.any(signals);
    // Jobs read many nodes at once (the digest): every request listens on this one signal.
    setMaxListeners(100, signal);
    const connection = this.#clusterOf(data);
    const context = new SliceContext({
      jobId,
      data,
      payload: payload.data,
      pve: connection.pve,
      ssh: connection.ssh,
      state: redisKindState(
        this.#options.redis,
        this.#options.prefix,
        stateNameOn(kind.stateOf ?? kind.name, data.cluster),
      ),
      controllable: kind.controllable === true,
      readControl: () => this.#controls.get(jobId),
      pveUser: connection.pveUser,
      claimed: this.#claimed,
      pollInterval: this.#options.pollInterval ?? { initialMs: 250, maxMs: 2_000 },
      signal,
      save: (next) => job.updateData(next),
      publish: async (event) => {
        // Progress is best effort: a lost progress line must not fail a migration.
        await this.#publish(data.thread, event).catch((error: Error) =>
          logger.warn({ jobId, err: error.message }, 'progress not delivered to the outbox'),
        );
      },
      // Published like a result, to the thread and its copies; a failure fails the slice (retried),
      // as an alert is what the job is for.
      alert: async (input) => {
        const outcome = await this.#alerts.publish(
          { jobId, kind: data.kind, threads: [data.thread, ...(data.copies ?? [])] },
          alertOn(input, data.cluster),
        );
        logger.info({ jobId, key: input.key, outcome }, 'alert');
      },
    });
    try {
      if (context.safetyNet && kind.guestsAtRisk)
        await safetyNetStep(
          context,
          'safety-net',
          kind.guestsAtRisk(payload.data),
          data.command ?? kind.name,
        );
      const outcome = await kind.run(context);
      // A plan proposed on one cluster is for that cluster.
      const proposal =
        outcome.proposal && data.cluster ? { ...outcome.proposal, cluster: data.cluster } : outcome.proposal;
      await this.#finish(job, data, kind, { ok: true, ...outcome, ...(proposal ? { proposal } : {}) });
      return outcome;
    } catch (caught) {
      let error = caught;
      if (
        error instanceof SliceEnded ||
        (slice.signal.aborted && !cancel.signal.aborted && !lockLost?.aborted)
      ) {
        await job.moveToDelayed(Date.now() + this.#options.resumeDelayMs, token);
        throw new DelayedError();
      }
      if (lockLost?.aborted) throw error; // another worker owns the job now: touch nothing
      if (cancel.signal.aborted && !(error instanceof JobError && error.code === JobErrorCode.Cancelled)) {
        error = new JobError(
          JobErrorCode.Cancelled,
          `cancelled by ${(cancel.signal.reason as CancelRequest).by}`,
        );
      }
      const attempts = job.opts.attempts ?? 1;
      if (isTransientFailure(error) && job.attemptsMade + 1 < attempts) {
        logger.warn(
          { jobId, kind: kind.name, err: failureText(error), attempt: job.attemptsMade + 1 },
          'transient failure; the job will be retried',
        );
        await context.progress(`retrying after: ${failureText(error)}`);
        throw error; // BullMQ retries with backoff; the job keeps its locks and its saved steps
      }
      return this.#fail(job, data, kind, error);
    } finally {
      this.#slices.delete(slice);
      renewalFailed.removeEventListener('abort', endOnRenewalFailure);
      clearTimeout(sliceTimer);
      clearInterval(renewTimer);
      clearInterval(cancelTimer);
    }
  }

  /** Reports the final result, then releases the job's locks and its cancel request. */
  async #finish(
    job: Job<JobData, JobOutcome>,
    data: JobData,
    kind: JobKind | undefined,
    result: Omit<ResultEvent, 'type' | 'jobId' | 'kind' | 'at'>,
  ): Promise<void> {
    const jobId = job.id as string;
    const event = {
      type: 'result' as const,
      jobId,
      kind: data.kind,
      at: Date.now(),
      ...withSafetyNet(data, result),
    };
    // A job on one of several clusters offers its commands for that cluster.
    const offers = offersOn(event.offers, data.cluster);
    if (offers) event.offers = offers;
    for (const thread of [data.thread, ...(data.copies ?? [])]) await this.#publish(thread, event);
    data.state.final = {
      ok: result.ok,
      summary: result.summary,
      ...(result.error === undefined ? {} : { error: result.error }),
      ...(result.code === undefined ? {} : { code: result.code }),
    };
    await job.updateData(data);
    // Counted once the result is stored: a re-run after a crash only repeats what is left.
    this.#options.metrics?.observeJob(
      data.kind,
      jobOutcomeLabel(result),
      // From when it was due: its enqueue, or its schedule's tick (not the previous tick's add).
      (Date.now() - (job.opts.prevMillis ?? job.timestamp)) / 1000,
    );
    if (kind) await this.#releaseLocks(kind, data, jobId);
    await this.#cancels.clear(jobId);
    await this.#controls.clear(jobId);
  }

  async #fail(
    job: Job<JobData, JobOutcome>,
    data: JobData,
    kind: JobKind | undefined,
    error: unknown,
  ): Promise<never> {
    const text = failureText(error);
    const label = data.kind;
    await this.#finish(job, data, kind, {
      ok: false,
      summary: `${label} failed: ${text}`,
      error: text,
      code: failureCode(error),
      ...(error instanceof Error && 'logTail' in error && Array.isArray(error.logTail)
        ? { logTail: error.logTail as string[] }
        : {}),
    });
    throw new UnrecoverableError(text);
  }

  /**
   * Why a job must not start now, if it must not: its request was answered "not accepted" (the
   * enqueue timed out and was revoked), or it is older than the start deadline, so whoever asked
   * has long stopped expecting it (a stop two minutes late is worse than none).
   */
  async #whyNotStart(data: JobData, kind: JobKind): Promise<string | undefined> {
    if (await this.#revoked.isRevoked(data.submission)) {
      return 'the request was answered "not accepted" (the job store did not confirm it in time); nothing ran';
    }
    // Work approved for later starts in its window, and only then (a missed one is reported).
    if (data.schedule) return missedWindow(data.schedule, Date.now());
    // A scheduled run (the digest, the cluster watch) is nobody's request: the next tick comes anyway,
    // and its `requestedAt` is when the schedule was set up, not when this run fell due.
    if (data.submission.startsWith(SCHEDULED_SUBMISSION)) return undefined;
    // An event to report (a PVE notification): late is better than lost.
    if (kind.startDeadline === false) return undefined;
    const deadline = this.#options.startDeadlineMs;
    const waited = Date.now() - data.requestedAt;
    if (waited <= deadline) return undefined;
    return (
      `requested at ${new Date(data.requestedAt).toISOString().slice(0, 19).replace('T', ' ')} UTC, ` +
      `could not start within ${Math.round(deadline / 1000)} s; nothing ran`
    );
  }

  async #notStarted(
    job: Job<JobData, JobOutcome>,
    data: JobData,
    kind: JobKind,
    reason: string,
  ): Promise<never> {
    this.#options.logger.warn({ jobId: job.id, kind: kind.name, reason }, 'job not started');
    const text = `not started: ${reason}`;
    await this.#finish(job, data, kind, {
      ok: false,
      summary: `${data.kind} ${text}`,
      error: text,
      code: JobErrorCode.NotStarted,
    });
    throw new UnrecoverableError(text);
  }

  /** The cluster a job runs on: its own by name, else the worker's only one. */
  #clusterOf(data: JobData): ClusterConnection {
    const fallback = { pve: this.#options.pve, ssh: this.#options.ssh, pveUser: this.#options.pveUser };
    if (data.cluster === undefined || !this.#options.clusters) return fallback;
    const named = this.#options.clusters.get(data.cluster);
    if (!named)
      throw new JobError(
        JobErrorCode.InvalidPayload,
        `this worker does not drive the cluster '${data.cluster}' (it drives ${[...this.#options.clusters.keys()].join(', ')})`,
      );
    return named;
  }

  async #releaseLocks(kind: JobKind, data: JobData, jobId: string): Promise<void> {
    const payload = kind.payload.safeParse(data.payload);
    const targets: LockTarget[] = payload.success ? lockTargets(kind, payload.data, data.cluster) : [];
    await this.#locks.release(targets, jobId);
  }

  /** A job BullMQ failed without our processor (e.g. its workers kept dying): still tell the chat. */
  async #reportOutsideFailure(job: Job<JobData, JobOutcome>, error: Error): Promise<void> {
    const parsed = jobDataSchema.safeParse(job.data);
    if (!parsed.success || parsed.data.state.final) return;
    const kind = this.#options.kinds.get(parsed.data.kind);
    const finalAttempt = job.attemptsMade >= (job.opts.attempts ?? 1);
    if (!finalAttempt && !(error instanceof UnrecoverableError)) return;
    await this.#finish(job, parsed.data, kind, {
      ok: false,
      summary: `${parsed.data.kind} failed: ${error.message}`,
      error: error.message,
      code: failureCode(error),
    }).catch((failure: Error) =>
      this.#options.logger.error({ jobId: job.id, err: failure.message }, 'could not report a failed job'),
    );
  }

  #publish(thread: ThreadRef, event: Parameters<OutboxWriter['publish']>[1]): Promise<unknown> {
    return this.#options.outbox.publish(thread, event);
  }
}

/**
 * Whether the job started before. Jobs queued by an older version carry no `startedAt`: saved
 * steps or memos, or an earlier attempt, also mean it ran.
 */
function hasStarted(job: Job<JobData, JobOutcome>, data: JobData): boolean {
  const { state } = data;
  return (
    state.startedAt !== undefined ||
    job.attemptsMade > 0 ||
    Object.keys(state.steps).length > 0 ||
    Object.keys(state.memo).length > 0
  );
}

function jobOutcomeLabel(result: { ok: boolean; code?: string | undefined }): JobOutcomeLabel {
  if (result.ok) return 'ok';
  if (result.code === JobErrorCode.Cancelled || result.code === JobErrorCode.Aborted) return 'cancelled';
  return result.code === JobErrorCode.Busy ? 'busy' : 'failed';
}

/** Roll back buttons on one result card at most (Discord allows 25 buttons, Slack 25 per block). */
const SAFETY_NET_BUTTONS_MAX = 10;

/**
 * The result with what the safety net took (steps/safety-net-step.ts): a line per snapshot and a
 * "Roll back" offer for each, on success and on failure alike (a failed upgrade is when a way
 * back matters most).
 */
function withSafetyNet<R extends { text?: string; offers?: ResultEvent['offers'] }>(
  data: JobData,
  result: R,
): R {
  const taken = (data.state.memo[SAFETY_NET_MEMO] as SafetySnapshot[] | undefined) ?? [];
  if (taken.length === 0) return result;
  const lines = [
    `Safety net: snapshot ${taken.map((s) => `\`${s.snapshot}\` of ${s.label}`).join(', ')} taken first.`,
    ...taken.flatMap((s) => s.retention),
  ];
  // A button per snapshot up to a card's worth; the rest are named to type.
  const offers = taken.slice(0, SAFETY_NET_BUTTONS_MAX).map((s) => ({
    label: taken.length === 1 ? 'Roll back' : `Roll back ${s.ref}`,
    command: `rollback ${s.ref} ${s.snapshot}`,
  }));
  const typed = taken
    .slice(SAFETY_NET_BUTTONS_MAX)
    .map((s) => `Roll back ${s.ref}: \`/pve rollback ${s.ref} ${s.snapshot}\``);
  return {
    ...result,
    text: [result.text, ...lines, ...typed].filter(Boolean).join('\n'),
    offers: [...(result.offers ?? []), ...offers],
  };
}
