// The Prometheus metrics of one process (issue 11): commands, approvals, jobs, PVE requests, queue
// depth, outbox lag and chat API errors, plus prom-client's default process metrics. Each call to
// createMetrics() builds its own Registry (never prom-client's global one), so tests may create
// as many as they like. Modules take an optional `metrics` and record nothing without it; what
// only a scrape needs (queue depth, outbox lag) is read then, through callbacks set by the wiring.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { type Logger, silentLogger } from './logger.js';

/**
 * What the core did with a command. queued: a job was enqueued (reads included); approval: an
 * approval request was opened; answered: the bot answered itself (help, whoami, jobs, audit,
 * cancel); invalid: it did not parse or could not be planned (unknown guest, wrong node…);
 * refused: the policy does not let this user run it here; error: the core failed.
 */
/**
 * `unavailable`: not accepted because the job store (Redis) did not answer; nothing ran. `late`:
 * accepted, but no replica could handle it before its deadline (all were down); nothing ran.
 */
export type CommandOutcome =
  | 'late'
  | 'queued'
  | 'approval'
  | 'answered'
  | 'invalid'
  | 'refused'
  | 'unavailable'
  | 'error';

/** How an approval request was closed. */
export type ApprovalOutcome = 'approved' | 'denied' | 'expired' | 'cancelled';

/** How a job ended. cancelled: cancelled or aborted by someone; busy: its guest or node was locked. */
export type JobOutcomeLabel = 'ok' | 'failed' | 'cancelled' | 'busy';

/** The queue states exported as `pve_chatops_queue_jobs{state}`. */
export const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;
export type QueueState = (typeof QUEUE_STATES)[number];

/**
 * One exchange with a PVE host, as the client's request observer reports it (structurally
 * `PveRequestEvent` of src/proxmox/request-observer.ts, which this shared leaf may not import).
 */
export interface PveRequestSample {
  method: string;
  /** The HTTP status; undefined when no response arrived. */
  status?: number;
  /** Set when the exchange failed (the PveError code). */
  errorCode?: string;
  durationMs: number;
}

export interface MetricsOptions {
  /** prom-client's default process metrics (CPU, memory, event loop lag, GC). Default true. */
  defaultMetrics?: boolean;
  /** Longest a scrape waits for a callback (queue depth, outbox lag) before leaving it out. Default 1 s. */
  collectTimeoutMs?: number;
  /** Where a failed callback is reported (its message only). */
  logger?: Logger;
}

export interface Metrics {
  readonly registry: Registry;
  readonly commands: Counter<'command' | 'outcome'>;
  readonly approvals: Counter<'command' | 'decision'>;
  readonly jobs: Counter<'kind' | 'outcome'>;
  readonly jobDuration: Histogram<'kind' | 'outcome'>;
  readonly pveRequestDuration: Histogram<'method' | 'status'>;
  readonly pveErrors: Counter<'status'>;
  readonly queueJobs: Gauge<'state'>;
  readonly outboxLag: Gauge<'platform'>;
  readonly chatApiErrors: Counter<'platform'>;

  countCommand(command: string, outcome: CommandOutcome): void;
  countApproval(command: string, decision: ApprovalOutcome): void;
  /** A job's final result; `seconds` from when it was due (enqueued, or its schedule's tick). */
  observeJob(kind: string, outcome: JobOutcomeLabel, seconds: number): void;
  countChatApiError(platform: string): void;
  /** What `pve_chatops_queue_jobs` reads on each scrape, e.g. `() => queue.counts()`. */
  readQueueFrom(read: () => Promise<Partial<Record<string, number>>>): void;
  /** What `pve_chatops_outbox_lag_seconds` reads on each scrape: seconds per platform. */
  readOutboxLagFrom(read: () => Promise<Record<string, number>>): void;
}

/** Latencies of single API calls: a few ms on a LAN, seconds when a node struggles. */
const PVE_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Jobs last from a status read (ms) to a rolling upgrade (hours). */
const JOB_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400];

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  const registers = [registry];
  const logger = options.logger ?? silentLogger;
  const timeoutMs = options.collectTimeoutMs ?? 1_000;
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const readers: {
    queue?: () => Promise<Partial<Record<string, number>>>;
    outboxLag?: () => Promise<Record<string, number>>;
  } = {};

  const commands = new Counter({
    name: 'pve_chatops_commands_total',
    help: 'Chat commands handled, by command and outcome (queued, approval, answered, invalid, refused, unavailable, late, error).',
    labelNames: ['command', 'outcome'] as const,
    registers,
  });
  const approvals = new Counter({
    name: 'pve_chatops_approvals_total',
    help: 'Approval requests closed, by command and decision (approved, denied, expired, cancelled).',
    labelNames: ['command', 'decision'] as const,
    registers,
  });
  const jobs = new Counter({
    name: 'pve_chatops_jobs_total',
    help: 'Jobs finished, by kind and outcome (ok, failed, cancelled, busy).',
    labelNames: ['kind', 'outcome'] as const,
    registers,
  });
  const jobDuration = new Histogram({
    name: 'pve_chatops_job_duration_seconds',
    help: 'Time from when a job was due (enqueued, or its schedule tick) to its result, by kind and outcome.',
    labelNames: ['kind', 'outcome'] as const,
    buckets: JOB_BUCKETS,
    registers,
  });
  const pveRequestDuration = new Histogram({
    name: 'pve_chatops_pve_request_duration_seconds',
    help: 'PVE API exchanges, one per host tried, by method and HTTP status (or error code without a response).',
    labelNames: ['method', 'status'] as const,
    buckets: PVE_BUCKETS,
    registers,
  });
  const pveErrors = new Counter({
    name: 'pve_chatops_pve_errors_total',
    help: 'Failed PVE API exchanges, by HTTP status (or error code without a response).',
    labelNames: ['status'] as const,
    registers,
  });
  const queueJobs = new Gauge({
    name: 'pve_chatops_queue_jobs',
    help: 'Jobs in the queue by state (waiting, active, delayed, failed), read at scrape time.',
    labelNames: ['state'] as const,
    registers,
    async collect() {
      this.reset();
      const counts = await readWithin(readers.queue, timeoutMs, logger, 'queue depth');
      if (!counts) return;
      for (const state of QUEUE_STATES) this.set({ state }, counts[state] ?? 0);
    },
  });
  const outboxLag = new Gauge({
    name: 'pve_chatops_outbox_lag_seconds',
    help: 'Age of the oldest outbox entry the bots have not acknowledged yet, per platform (0: none).',
    labelNames: ['platform'] as const,
    registers,
    async collect() {
      this.reset();
      const lags = await readWithin(readers.outboxLag, timeoutMs, logger, 'outbox lag');
      for (const [platform, seconds] of Object.entries(lags ?? {})) this.set({ platform }, seconds);
    },
  });
  const chatApiErrors = new Counter({
    name: 'pve_chatops_chat_api_errors_total',
    help: 'Failed calls to a chat platform API (HTTP error, network failure, or Slack "ok": false), by platform.',
    labelNames: ['platform'] as const,
    registers,
  });

  return {
    registry,
    commands,
    approvals,
    jobs,
    jobDuration,
    pveRequestDuration,
    pveErrors,
    queueJobs,
    outboxLag,
    chatApiErrors,
    countCommand: (command, outcome) => commands.inc({ command, outcome }),
    countApproval: (command, decision) => approvals.inc({ command, decision }),
    observeJob(kind, outcome, seconds) {
      jobs.inc({ kind, outcome });
      jobDuration.observe({ kind, outcome }, Math.max(0, seconds));
    },
    countChatApiError: (platform) => chatApiErrors.inc({ platform }),
    readQueueFrom(read) {
      readers.queue = read;
    },
    readOutboxLagFrom(read) {
      readers.outboxLag = read;
    },
  };
}

/**
 * The PVE client's request observer (`onRequest` in ProxmoxClient's options) that times every
 * exchange and counts the failed ones. A request aborted by its caller (a job's slice ended) is
 * neither: it says nothing about PVE.
 */
export function observePveRequests(metrics: Metrics): (event: PveRequestSample) => void {
  return (event) => {
    if (event.errorCode === 'PVE_ABORTED') return;
    const status = event.status === undefined ? (event.errorCode ?? 'none') : String(event.status);
    metrics.pveRequestDuration.observe({ method: event.method, status }, event.durationMs / 1000);
    if (event.errorCode !== undefined) metrics.pveErrors.inc({ status });
  };
}

/** The callback's answer, or undefined (logged) when it is missing, fails or takes too long. */
async function readWithin<T>(
  read: (() => Promise<T>) | undefined,
  timeoutMs: number,
  logger: Logger,
  what: string,
): Promise<T | undefined> {
  if (!read) return undefined;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([read(), timeout]);
  } catch (error) {
    logger.warn({ error: error instanceof Error ? error.message : String(error) }, `cannot read ${what}`);
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}
