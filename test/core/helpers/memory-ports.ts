// The core's ports in memory, for tests that drive every command's policy and approval path in
// milliseconds: no Redis, no simulator. Each port keeps the rules of the production class it
// stands for, so the core cannot tell the difference:
//   jobs       JobQueue: payloads validated by the real job kind registry, ids honoured once,
//              cancel removes a job that has not started, Pause/Resume/Abort only for
//              controllable kinds (an abort is never undone).
//   approvals  ApprovalStore and its Lua scripts: distinct approvers, no self-approval unless the
//              rule allows it, one Deny closes, only the requester cancels, expiry by the clock,
//              and the store's own refusal and closed sentences (decision-reasons.ts).
//   audit      AuditLog: seq, at and the hash chain; latest() newest first.
//   requests   RequestLedger: each id claimed once.
// The cluster is one fixed read (MEMORY_SNAPSHOT), and the chat sink records what is said.

import { randomUUID } from 'node:crypto';
import { APPROVAL_ID_PATTERN } from '../../../src/core/approvals/approval-id.js';
import { ApprovalNotFoundError } from '../../../src/core/approvals/approval-not-found-error.js';
import type {
  ApprovalRequest,
  DecisionResult,
  OpenApprovalInput,
} from '../../../src/core/approvals/approval-request.js';
import { closedReason, refusalReason } from '../../../src/core/approvals/decision-reasons.js';
import type { AuditEntry, AuditRecord } from '../../../src/core/audit/audit-log.js';
import { GENESIS_HASH, hashAuditRecord } from '../../../src/core/audit/audit-log.js';
import type { ChatEvent, ChatUser } from '../../../src/core/chat-event.js';
import { Core } from '../../../src/core/core.js';
import type { ButtonPress } from '../../../src/core/core-api.js';
import type { ChatSink, OutgoingMessage } from '../../../src/core/message.js';
import { type Policy, parsePolicy } from '../../../src/core/policy/index.js';
import type {
  ApprovalsPort,
  AuditPort,
  IntakePort,
  JobsPort,
  PermissionsPort,
  RequestsPort,
} from '../../../src/core/ports.js';
import type { JobControl } from '../../../src/jobs/job-controls.js';
import type { JobEvent, ThreadRef } from '../../../src/jobs/job-events.js';
import type { JobKindRegistry } from '../../../src/jobs/job-kind.js';
import type {
  CancelOutcome,
  ControlOutcome,
  Enqueued,
  EnqueueRequest,
  JobInfo,
} from '../../../src/jobs/job-queue.js';
import { jobKinds } from '../../../src/jobs/kinds/index.js';
import { StoreUnavailableError } from '../../../src/jobs/store-unavailable.js';
import { validateJobRequest } from '../../../src/jobs/validate-job-request.js';
import { silentLogger } from '../../../src/logger.js';
import type { ClusterSnapshot } from '../../../src/proxmox/read-cluster-snapshot.js';
import type { ClusterResource } from '../../../src/proxmox/schemas/cluster-schemas.js';
import type { SnapshotList } from '../../../src/proxmox/snapshot-api.js';

export const PLATFORM = 'test';
/** The thread a ChatEvent carries before its public record exists: the channel only. */
export const CHANNEL_THREAD: ThreadRef = { platform: PLATFORM, channel: 'C1' };
export const CHANNEL = 'console:terminal';

/** Requests in ops. */
export const alice: ChatUser = { id: 'console:alice', name: 'alice', groups: [] };
/** A lead (approver). */
export const bob: ChatUser = { id: 'console:bob', name: 'bob', groups: [] };
/** A second lead, for rules that need two approvals. */
export const lena: ChatUser = { id: 'console:lena', name: 'lena', groups: [] };
/** Also in ops: may run what alice runs, approves nothing. */
export const dave: ChatUser = { id: 'console:dave', name: 'dave', groups: [] };
/** In no role. */
export const carol: ChatUser = { id: 'console:carol', name: 'carol', groups: [] };

/** The roles the memory-core tests name, for policies written as YAML. */
export const ROLES_YAML = `
roles:
  ops:
    members: [console:alice, console:dave]
  leads:
    members: [console:bob, console:lena]
`;

// ---------------------------------------------------------------------------------------------
// jobs

type JobState = JobInfo['state'];

interface StoredJob {
  info: JobInfo;
  control?: JobControl;
}

/** JobQueue in memory. Jobs stay 'waiting' until a test moves them on (setState). */
export class MemoryJobs implements JobsPort {
  readonly #jobs = new Map<string, StoredJob>();
  readonly #kinds: JobKindRegistry;
  readonly #clock: () => number;
  /** Every cancel asked for, in order (a cancelled job that had not started is gone, as in BullMQ). */
  readonly cancels: Array<{ jobId: string; by: string; outcome: CancelOutcome['status'] }> = [];
  /** While set, every enqueue fails as an unreachable Redis does. */
  unavailable = false;
  /** Every request that added a job, in order (what a worker would get besides the payload). */
  readonly added: EnqueueRequest[] = [];

  constructor(options: { clock: () => number; kinds?: JobKindRegistry }) {
    this.#clock = options.clock;
    this.#kinds = options.kinds ?? jobKinds;
  }

  async enqueue(request: EnqueueRequest): Promise<Enqueued> {
    const { kind, payload } = validateJobRequest(this.#kinds, request);
    if (this.unavailable) throw new StoreUnavailableError('Connection is closed');
    const jobId = request.jobId ?? randomUUID();
    if (this.#jobs.has(jobId)) return { jobId, duplicate: true };
    this.added.push(request);
    this.#jobs.set(jobId, {
      info: {
        jobId,
        kind: kind.name,
        // A scheduled job waits in BullMQ's delayed set until its start.
        state: request.schedule && request.schedule.startAt > this.#clock() ? 'delayed' : 'waiting',
        ...(request.schedule === undefined ? {} : { schedule: request.schedule }),
        requestedBy: request.requestedBy,
        ...(request.requestedById === undefined ? {} : { requestedById: request.requestedById }),
        requestedAt: this.#clock(),
        ...(request.command === undefined ? {} : { command: request.command }),
        ...(request.commandRisk === undefined ? {} : { commandRisk: request.commandRisk }),
        payload,
        thread: request.thread,
      },
    });
    return { jobId, duplicate: false };
  }

  async get(jobId: string): Promise<JobInfo | undefined> {
    const job = this.#jobs.get(jobId);
    return job ? { ...job.info } : undefined;
  }

  async list(
    states: JobState[] = ['active', 'waiting', 'delayed', 'completed', 'failed'],
    limit = 20,
  ): Promise<JobInfo[]> {
    return this.all()
      .reverse()
      .filter((job) => states.includes(job.state))
      .slice(0, limit);
  }

  async cancel(jobId: string, by: string): Promise<CancelOutcome> {
    const outcome = this.#cancel(jobId);
    this.cancels.push({ jobId, by, outcome: outcome.status });
    return outcome;
  }

  #cancel(jobId: string): CancelOutcome {
    const job = this.#jobs.get(jobId);
    if (!job) return { status: 'unknown' };
    const { state } = job.info;
    if (state === 'completed' || state === 'failed') return { status: 'finished', state };
    if (state === 'waiting' || state === 'prioritized' || (state === 'delayed' && job.info.schedule)) {
      this.#jobs.delete(jobId);
      return { status: 'cancelled' };
    }
    return { status: 'cancelling' };
  }

  async control(jobId: string, action: 'pause' | 'resume' | 'abort', by: string): Promise<ControlOutcome> {
    const job = this.#jobs.get(jobId);
    if (!job) return { status: 'unknown' };
    if (this.#kinds.get(job.info.kind)?.controllable !== true)
      return { status: 'not-controllable', kind: job.info.kind };
    const { state } = job.info;
    if (state === 'completed' || state === 'failed') return { status: 'finished', state };
    // As JobControls.set: an abort is never undone; resume lifts a pause.
    if (job.control?.action !== 'abort') {
      if (action === 'resume') delete job.control;
      else job.control = { action, by, at: this.#clock() };
    }
    return { status: 'set', control: job.control };
  }

  /** Every job, oldest first. */
  all(): JobInfo[] {
    return [...this.#jobs.values()].map((job) => ({ ...job.info }));
  }

  /** The Pause or Abort recorded for a job, as its worker would read it. */
  controlOf(jobId: string): JobControl | undefined {
    return this.#jobs.get(jobId)?.control;
  }

  /** What the worker would do: take the job, finish it. */
  setState(jobId: string, state: JobState): void {
    const job = this.#jobs.get(jobId);
    if (!job) throw new Error(`no job ${jobId}`);
    job.info.state = state;
  }
}

// ---------------------------------------------------------------------------------------------
// approvals

interface StoredApproval {
  request: ApprovalRequest;
  /** The user ids that approved (the Lua script's `by:<id>` fields). */
  approvedBy: Set<string>;
}

/** ApprovalStore in memory: the transitions of its Lua scripts (approval-scripts.ts), in order. */
export class MemoryApprovals implements ApprovalsPort {
  readonly #requests = new Map<string, StoredApproval>();
  readonly #clock: () => number;
  readonly #retainMs: number;
  #next = 0;

  constructor(options: { clock: () => number; retainMs?: number }) {
    this.#clock = options.clock;
    this.#retainMs = options.retainMs ?? 24 * 3_600_000;
  }

  async open(input: OpenApprovalInput, options: { id?: string } = {}): Promise<ApprovalRequest> {
    if (!Number.isInteger(input.rule.count) || input.rule.count < 1)
      throw new RangeError(`rule.count must be a whole number of 1 or more (got ${input.rule.count})`);
    if (!(input.rule.ttlMs > 0))
      throw new RangeError(`rule.ttlMs must be positive (got ${input.rule.ttlMs})`);
    if (options.id !== undefined && !APPROVAL_ID_PATTERN.test(options.id))
      throw new RangeError(`an approval id must match ${APPROVAL_ID_PATTERN} (got '${options.id}')`);
    if (options.id !== undefined) {
      const existing = await this.get(options.id);
      if (existing) return existing;
    }
    const createdAt = this.#clock();
    const id = options.id ?? `apr${String(++this.#next).padStart(5, '0')}`;
    const request: ApprovalRequest = {
      id,
      status: 'pending',
      ...structuredClone(input),
      createdAt,
      expiresAt: createdAt + input.rule.ttlMs,
      approvals: [],
    };
    this.#requests.set(id, { request, approvedBy: new Set() });
    return structuredClone(request);
  }

  async get(id: string): Promise<ApprovalRequest | undefined> {
    const stored = this.#live(id);
    if (!stored) return undefined;
    const request = structuredClone(stored.request);
    // A pending request past its expiry reads as expired (the store writes it at the next decision).
    if (request.status === 'pending' && this.#clock() >= request.expiresAt) request.status = 'expired';
    return request;
  }

  async decide(
    id: string,
    user: ChatUser,
    decision: 'approve' | 'deny',
    allowed: boolean,
  ): Promise<DecisionResult> {
    const at = this.#clock();
    const stored = this.#open(id, at);
    const { request } = stored;
    if (request.status !== 'pending') return this.#closed(request);
    if (decision === 'deny') {
      if (!allowed) return this.#refused(request, 'not-approver', user, decision);
      request.status = 'denied';
      request.decidedBy = { by: user, at, decision };
      return { outcome: 'denied', request: structuredClone(request) };
    }
    if (user.id === request.requester.id && !request.rule.allowSelf)
      return this.#refused(request, 'self', user, decision);
    if (!allowed) return this.#refused(request, 'not-approver', user, decision);
    if (stored.approvedBy.has(user.id)) return this.#refused(request, 'again', user, decision);
    stored.approvedBy.add(user.id);
    request.approvals.push({ by: user, at });
    if (request.approvals.length >= request.rule.count) {
      request.status = 'approved';
      request.decidedBy = { by: user, at, decision };
      return { outcome: 'approved', request: structuredClone(request) };
    }
    return { outcome: 'recorded', request: structuredClone(request) };
  }

  async cancel(id: string, user: ChatUser): Promise<DecisionResult> {
    const at = this.#clock();
    const { request } = this.#open(id, at);
    if (request.status !== 'pending') return this.#closed(request);
    if (user.id !== request.requester.id) return this.#refused(request, 'not-requester', user, 'cancel');
    request.status = 'cancelled';
    request.decidedBy = { by: user, at, decision: 'cancel' };
    return { outcome: 'cancelled', request: structuredClone(request) };
  }

  /** Every request ever opened (and not yet removed), oldest first. */
  all(): ApprovalRequest[] {
    return [...this.#requests.values()].map((stored) => structuredClone(stored.request));
  }

  /** The request, unless its key would have expired in Redis (ttl plus the retention). */
  #live(id: string): StoredApproval | undefined {
    if (!APPROVAL_ID_PATTERN.test(id)) return undefined;
    const stored = this.#requests.get(id);
    if (!stored) return undefined;
    if (this.#clock() >= stored.request.expiresAt + this.#retainMs) {
      this.#requests.delete(id);
      return undefined;
    }
    return stored;
  }

  /** The prelude of decide and cancel: missing throws, a pending request past its expiry expires now. */
  #open(id: string, at: number): StoredApproval {
    const stored = this.#live(id);
    if (!stored) throw new ApprovalNotFoundError(id);
    if (stored.request.status === 'pending' && at >= stored.request.expiresAt)
      stored.request.status = 'expired';
    return stored;
  }

  #closed(request: ApprovalRequest): DecisionResult {
    return { outcome: 'closed', request: structuredClone(request), reason: closedReason(request) };
  }

  #refused(
    request: ApprovalRequest,
    detail: 'self' | 'again' | 'not-requester' | 'not-approver',
    user: ChatUser,
    decision: 'approve' | 'deny' | 'cancel',
  ): DecisionResult {
    const reason = refusalReason(detail, request, user, decision);
    return { outcome: 'refused', request: structuredClone(request), reason };
  }
}

// ---------------------------------------------------------------------------------------------
// audit, requests

/** AuditLog in memory: records chained by hash, as verify() expects them. */
export class MemoryAudit implements AuditPort {
  readonly records: AuditRecord[] = [];
  readonly #clock: () => number;

  constructor(options: { clock: () => number }) {
    this.#clock = options.clock;
  }

  async append(entry: AuditEntry): Promise<AuditRecord> {
    const base = {
      ...entry,
      seq: this.records.length,
      at: this.#clock(),
      prev: this.records.at(-1)?.hash ?? GENESIS_HASH,
    };
    const record: AuditRecord = { ...base, hash: hashAuditRecord(base) };
    this.records.push(record);
    return record;
  }

  async latest(n: number): Promise<AuditRecord[]> {
    if (!Number.isInteger(n) || n < 1) return [];
    return this.records.slice(-n).reverse();
  }
}

/** RequestLedger in memory. */
export class MemoryRequests implements RequestsPort {
  readonly #seen = new Set<string>();

  async claim(requestId: string): Promise<boolean> {
    if (this.#seen.has(requestId)) return false;
    this.#seen.add(requestId);
    return true;
  }
}

// ---------------------------------------------------------------------------------------------
// the cluster

const GiB = 1024 ** 3;

const node = (name: string, memGiB: number) => ({
  id: `node/${name}`,
  type: 'node' as const,
  node: name,
  status: 'online',
  maxmem: 64 * GiB,
  mem: memGiB * GiB,
  maxcpu: 16,
  cpu: 0.1,
});

function backupStorage(storage: string, node: string, shared: boolean, plugintype: string): ClusterResource {
  return {
    id: `storage/${node}/${storage}`,
    type: 'storage',
    storage,
    node,
    status: 'available',
    shared,
    plugintype,
    content: shared ? 'backup' : 'iso,vztmpl,backup',
  };
}

/**
 * Three online nodes; TestVM (qemu/100) running on node01 without HA; an HA-managed VM on node02;
 * a stopped container on node03; a template on node01. So `node reboot node01` strands TestVM,
 * and node02 and node03 may go down without --force.
 */
export const MEMORY_SNAPSHOT: ClusterSnapshot = {
  resources: [
    node('node01', 40),
    node('node02', 20),
    node('node03', 10),
    {
      id: 'qemu/100',
      type: 'qemu',
      vmid: 100,
      name: 'TestVM',
      node: 'node01',
      status: 'running',
      maxmem: 2 * GiB,
    },
    {
      id: 'qemu/101',
      type: 'qemu',
      vmid: 101,
      name: 'ha-web',
      node: 'node02',
      status: 'running',
      hastate: 'started',
      maxmem: 4 * GiB,
    },
    {
      id: 'lxc/200',
      type: 'lxc',
      vmid: 200,
      name: 'ct-dns01',
      node: 'node03',
      status: 'stopped',
      maxmem: 512 * 1024 ** 2,
    },
    {
      id: 'qemu/9000',
      type: 'qemu',
      vmid: 9000,
      name: 'debian12-tmpl',
      node: 'node01',
      status: 'stopped',
      template: true,
    },
    // Backups: each node's own `local` directory, and a Proxmox Backup Server they share.
    ...['node01', 'node02', 'node03'].flatMap((n) => [
      backupStorage('local', n, false, 'dir'),
      backupStorage('pbs-backup', n, true, 'pbs'),
    ]),
  ],
  status: {
    clusterName: 'MonCluster',
    quorate: true,
    nodes: [
      { name: 'node01', online: true, local: true },
      { name: 'node02', online: true, local: false },
      { name: 'node03', online: true, local: false },
    ],
  },
};

/** The default clock's start: a fixed Monday morning. */
export const MEMORY_START = Date.UTC(2026, 0, 5, 9, 0, 0);

/**
 * Each guest's snapshots by vmid (a guest not listed has none): TestVM has `before-upgrade`, taken
 * 3 h 12 min before MEMORY_START without RAM, and runs from it.
 */
export const MEMORY_SNAPSHOTS: Record<number, SnapshotList> = {
  100: {
    snapshots: [
      {
        name: 'before-upgrade',
        takenAt: (MEMORY_START - (3 * 60 + 12) * 60_000) / 1000,
        withRam: false,
        description: '',
        parent: undefined,
        incomplete: undefined,
      },
    ],
    currentParent: 'before-upgrade',
    running: true,
  },
};

// ---------------------------------------------------------------------------------------------
// the core

export interface MemoryCoreOptions {
  /** A Policy, or policy YAML (parsed as a policy file would be). */
  policy: Policy | string;
  /** The clock of the core and every port; by default one that moves only by advance(). */
  clock?: () => number;
  snapshot?: ClusterSnapshot;
  /** Each guest's snapshots by vmid (default MEMORY_SNAPSHOTS). */
  snapshots?: Record<number, SnapshotList>;
  /** Give the core an intake (handle() and press() then only submit; process() handles). */
  intake?: IntakePort;
  /** What PVE says a PVE user may do (the policy's identities:). */
  permissions?: PermissionsPort;
  /** The one cluster's name (PVE_* variables). */
  clusterName?: string;
}

export interface MemoryCore {
  core: Core;
  policy: Policy;
  jobs: MemoryJobs;
  approvals: MemoryApprovals;
  audit: MemoryAudit;
  requests: MemoryRequests;
  /** Every message the core sent, in order. */
  sent: OutgoingMessage[];
  /** Every event the core asked a public record for, in order; thread `R<n>` is the n-th. */
  opened: ChatEvent[];
  /** How many times the core read the cluster. */
  reads(): number;
  /** Moves the default clock on (nothing when the options gave a clock). */
  advance(ms: number): void;
  now(): number;
  /** Alice (by default) types `text` in channel C1. */
  say(text: string, options?: { user?: ChatUser; requestId?: string; channel?: string }): Promise<void>;
  /**
   * Someone presses a button carrying `value`. It is pressed in the thread of the card it is on:
   * the approval card or the job's progress message, else the thread the job or request reports to.
   */
  press(
    action: string,
    value: string,
    options?: { user?: ChatUser; requestId?: string; thread?: ThreadRef },
  ): Promise<void>;
  /** A job event arriving from the outbox, in the thread the job reports to. */
  jobEvent(event: JobEvent, thread?: ThreadRef): Promise<void>;
}

export function startMemoryCore(options: MemoryCoreOptions): MemoryCore {
  let manual = MEMORY_START;
  const clock = options.clock ?? (() => manual);
  const policy = typeof options.policy === 'string' ? parsePolicy(options.policy, 'test') : options.policy;
  const jobs = new MemoryJobs({ clock });
  const approvals = new MemoryApprovals({ clock });
  const audit = new MemoryAudit({ clock });
  const requests = new MemoryRequests();
  const sent: OutgoingMessage[] = [];
  const opened: ChatEvent[] = [];
  let reads = 0;
  const snapshot = options.snapshot ?? MEMORY_SNAPSHOT;
  const sink: ChatSink = {
    async send(message) {
      sent.push(message);
    },
    async openRequestThread(event) {
      opened.push(event);
      return { ...event.thread, thread: `R${opened.length}` };
    },
  };
  const core = new Core({
    queue: jobs,
    approvals,
    audit,
    requests,
    policy,
    sink,
    clock,
    logger: silentLogger,
    readCluster: async () => {
      reads++;
      return structuredClone(snapshot);
    },
    readSnapshots: async (guest) =>
      structuredClone(
        (options.snapshots ?? MEMORY_SNAPSHOTS)[guest.vmid] ?? {
          snapshots: [],
          currentParent: undefined,
          running: false,
        },
      ),
    ...(options.intake ? { intake: options.intake } : {}),
    ...(options.permissions ? { permissions: options.permissions } : {}),
    ...(options.clusterName ? { clusterName: options.clusterName } : {}),
  });
  const threadOf = async (value: string): Promise<ThreadRef> => {
    const card = sent.findLast((m) => m.key === `approval:${value}` || m.key === `job:${value}`);
    if (card) return card.thread;
    return (await jobs.get(value))?.thread ?? (await approvals.get(value))?.thread ?? CHANNEL_THREAD;
  };
  return {
    core,
    policy,
    jobs,
    approvals,
    audit,
    requests,
    sent,
    opened,
    reads: () => reads,
    advance(ms) {
      manual += ms;
    },
    now: clock,
    say: (text, { user = alice, requestId, channel = CHANNEL } = {}) =>
      core.handle({
        platform: PLATFORM,
        user,
        channel,
        text,
        thread: CHANNEL_THREAD,
        ...(requestId === undefined ? {} : { requestId }),
      }),
    async press(action, value, { user = alice, requestId, thread } = {}) {
      const press: ButtonPress = {
        action,
        value,
        user,
        platform: PLATFORM,
        channel: CHANNEL,
        thread: thread ?? (await threadOf(value)),
        ...(requestId === undefined ? {} : { requestId }),
      };
      await core.press(press);
    },
    async jobEvent(event, thread) {
      await core.onJobEvent(thread ?? (await jobs.get(event.jobId))?.thread ?? CHANNEL_THREAD, event);
    },
  };
}

/** The approval id of an approval card. */
export function approvalIdOf(message: OutgoingMessage): string {
  if (!message.key?.startsWith('approval:')) throw new Error(`not an approval card: ${message.card.title}`);
  return message.key.slice('approval:'.length);
}

/** The newest approval card sent, if any. */
export function lastApprovalCard(sent: readonly OutgoingMessage[]): OutgoingMessage | undefined {
  return sent.findLast((m) => m.key?.startsWith('approval:') === true);
}

/** What was said to `user` alone, newest last. */
export function toldTo(sent: readonly OutgoingMessage[], user: ChatUser): OutgoingMessage[] {
  return sent.filter((m) => m.ephemeralTo?.id === user.id);
}
