// Approval requests in Redis (docs/architecture.md, step 5 of one command): single use, expiring,
// N-of-M distinct approvers, no self-approval unless the rule allows it, one Deny closes, only the
// requester cancels. Every transition is one Lua script on one hash, so of any number of
// simultaneous clicks exactly one gets 'approved' and enqueues the job.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { type ThreadRef, threadRefSchema } from '../../jobs/job-events.js';
import type { ChatUser } from '../chat-event.js';
import type { ApprovalRule } from '../policy/policy-types.js';
import { ApprovalNotFoundError } from './approval-not-found-error.js';
import { CANCEL, DECIDE, OPEN } from './approval-scripts.js';

export type ApprovalStatus = 'pending' | 'approved' | 'denied' | 'expired' | 'cancelled';
export type ApprovalDecision = 'approve' | 'deny' | 'cancel';

export interface ApprovalRequest {
  /** 8 characters of lowercase base32: short enough for a button value or a typed command. */
  id: string;
  status: ApprovalStatus;
  command: string;
  /** The resolved plan, as the requester and approvers read it. */
  summary: string;
  /** More lines of the plan (a rolling upgrade's steps per node), shown on the card. */
  details?: string;
  /** What the job gets once approved. */
  payload: unknown;
  jobKind: string;
  requester: ChatUser;
  rule: ApprovalRule;
  thread: ThreadRef;
  /** From describeApprovers(): "1 approval from on-call (slack-group:S0ONCALL)". */
  approverDescription: string;
  createdAt: number;
  expiresAt: number;
  /** Distinct approvers so far, in order. */
  approvals: { by: ChatUser; at: number }[];
  /** Who closed it (approved: the last approver; denied; cancelled), and when. */
  decidedBy?: { by: ChatUser; at: number; decision: ApprovalDecision };
}

export interface OpenApprovalInput {
  command: string;
  summary: string;
  details?: string;
  payload: unknown;
  jobKind: string;
  requester: ChatUser;
  rule: ApprovalRule;
  thread: ThreadRef;
  approverDescription: string;
}

export interface DecisionResult {
  /**
   * recorded: an approval counted, more are needed. approved: THIS call completed the request;
   * its caller, and only it, enqueues the job. denied, cancelled: this call closed it. refused:
   * nothing changed, `reason` says why. closed: it was already approved, denied, cancelled or
   * expired; `reason` says how and by whom.
   */
  outcome: 'recorded' | 'approved' | 'denied' | 'cancelled' | 'refused' | 'closed';
  request: ApprovalRequest;
  reason?: string;
}

export interface ApprovalStoreOptions {
  /** Keys are `${prefix}:approval:<id>`. */
  prefix: string;
  clock?: () => number;
  /** How long a closed or expired request stays readable after its expiry, for late clicks. Default: 1 day. */
  retainMs?: number;
  /** Makes request ids; injectable for tests. Default: 8 random base32 characters. */
  newId?: () => string;
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
/** What get() accepts as an id: anything else (a mistyped button value) reads as no request. */
const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** 40 random bits as 8 base32 characters. */
export function newApprovalId(): string {
  let bits = 0n;
  for (const byte of randomBytes(5)) bits = (bits << 8n) | BigInt(byte);
  let id = '';
  for (let i = 7; i >= 0; i--) id += BASE32[Number((bits >> BigInt(i * 5)) & 31n)];
  return id;
}

const chatUserSchema = z.object({ id: z.string(), name: z.string(), groups: z.array(z.string()) });
const storedRequestSchema = z.object({
  id: z.string(),
  command: z.string(),
  summary: z.string(),
  details: z.string().optional(),
  payload: z.unknown(),
  jobKind: z.string(),
  requester: chatUserSchema,
  rule: z.object({
    approvers: z.array(z.string()),
    count: z.number(),
    ttlMs: z.number(),
    allowSelf: z.boolean(),
  }),
  thread: threadRefSchema,
  approverDescription: z.string(),
  createdAt: z.number(),
  expiresAt: z.number(),
});
const approvalsSchema = z.array(z.object({ by: chatUserSchema, at: z.number() }));
const decidedBySchema = z.object({
  by: chatUserSchema,
  at: z.number(),
  decision: z.enum(['approve', 'deny', 'cancel']),
});
const statusSchema = z.enum(['pending', 'approved', 'denied', 'expired', 'cancelled']);

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export class ApprovalStore {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #clock: () => number;
  readonly #retainMs: number;
  readonly #newId: () => string;

  constructor(redis: Redis, options: ApprovalStoreOptions) {
    if (options.retainMs !== undefined && !(options.retainMs >= 0))
      throw new RangeError('retainMs must be 0 or more milliseconds');
    this.#redis = redis;
    this.#prefix = options.prefix;
    this.#clock = options.clock ?? Date.now;
    this.#retainMs = options.retainMs ?? 24 * 3_600_000;
    this.#newId = options.newId ?? newApprovalId;
  }

  #key(id: string): string {
    return `${this.#prefix}:approval:${id}`;
  }

  /**
   * Opens a pending request that expires `rule.ttlMs` from now. With `id` (derived from what
   * proposed it, e.g. a plan job), opening twice returns the first request: a redelivered
   * proposal never asks for approval twice.
   */
  async open(input: OpenApprovalInput, options: { id?: string } = {}): Promise<ApprovalRequest> {
    if (!Number.isInteger(input.rule.count) || input.rule.count < 1)
      throw new RangeError(`rule.count must be a whole number of 1 or more (got ${input.rule.count})`);
    if (!(input.rule.ttlMs > 0))
      throw new RangeError(`rule.ttlMs must be positive (got ${input.rule.ttlMs})`);
    const createdAt = this.#clock();
    if (options.id !== undefined && !ID_PATTERN.test(options.id))
      throw new RangeError(`an approval id must match ${ID_PATTERN} (got '${options.id}')`);
    for (let attempt = 0; attempt < 10; attempt++) {
      const id = options.id ?? this.#newId();
      const request: ApprovalRequest = {
        id,
        status: 'pending',
        ...input,
        createdAt,
        expiresAt: createdAt + input.rule.ttlMs,
        approvals: [],
      };
      const { status: _status, approvals: _approvals, ...fixed } = request;
      const created = await this.#redis.eval(
        OPEN,
        1,
        this.#key(id),
        input.rule.ttlMs + this.#retainMs,
        'request',
        JSON.stringify(fixed),
        'status',
        'pending',
        'requesterId',
        input.requester.id,
        'count',
        input.rule.count,
        'allowSelf',
        input.rule.allowSelf ? '1' : '0',
        'expiresAt',
        request.expiresAt,
        'approvals',
        '[]',
        'n',
        0,
      );
      if (created === 1) return request;
      if (options.id !== undefined) {
        const existing = await this.get(options.id);
        if (existing) return existing;
      }
    }
    throw new Error('could not find a free approval id in 10 attempts; is newId random?');
  }

  /** The request as it stands; a pending one past its expiry reads as expired. */
  async get(id: string): Promise<ApprovalRequest | undefined> {
    if (!ID_PATTERN.test(id)) return undefined;
    const fields = await this.#redis.hgetall(this.#key(id));
    if (Object.keys(fields).length === 0) return undefined;
    return this.#parse(fields);
  }

  /**
   * Records an approval or a denial by `user`. `mayApprove` is the policy's answer for this user
   * (mayApprove() in the policy); the store adds single use, expiry, distinct approvers and the
   * self-approval rule.
   */
  async decide(
    id: string,
    user: ChatUser,
    decision: 'approve' | 'deny',
    mayApprove: boolean,
  ): Promise<DecisionResult> {
    const at = this.#clock();
    const reply = (await this.#redis.eval(
      DECIDE,
      1,
      this.#key(id),
      user.id,
      at,
      decision,
      mayApprove ? '1' : '0',
      JSON.stringify({ by: user, at }),
      JSON.stringify({ by: user, at, decision }),
    )) as string[];
    return this.#result(id, reply, user, decision);
  }

  /** Withdraws a pending request; only its requester may. */
  async cancel(id: string, user: ChatUser): Promise<DecisionResult> {
    const at = this.#clock();
    const reply = (await this.#redis.eval(
      CANCEL,
      1,
      this.#key(id),
      user.id,
      at,
      JSON.stringify({ by: user, at, decision: 'cancel' }),
    )) as string[];
    return this.#result(id, reply, user, 'cancel');
  }

  #result(id: string, reply: string[], user: ChatUser, decision: ApprovalDecision): DecisionResult {
    const [outcome, detail, ...flat] = reply;
    if (outcome === 'missing' || outcome === undefined) throw new ApprovalNotFoundError(id);
    const fields: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]!] = flat[i + 1]!;
    const request = this.#parse(fields);
    switch (outcome) {
      case 'recorded':
      case 'approved':
      case 'denied':
      case 'cancelled':
        return { outcome, request };
      case 'closed':
        return { outcome, request, reason: this.#closedReason(request) };
      default:
        return { outcome: 'refused', request, reason: this.#refusal(detail ?? '', request, user, decision) };
    }
  }

  #refusal(detail: string, request: ApprovalRequest, user: ChatUser, decision: ApprovalDecision): string {
    const needed = request.approverDescription;
    switch (detail) {
      case 'self':
        return `you may not approve your own request: it needs ${needed}, from someone else`;
      case 'again': {
        const left = request.rule.count - request.approvals.length;
        return `you already approved this; it needs ${left} more approval${left === 1 ? '' : 's'} from other people (${needed})`;
      }
      case 'not-requester':
        return `only the requester, ${request.requester.name}, may cancel this request`;
      default:
        if (decision === 'deny' && user.id === request.requester.id)
          return 'only approvers may deny; to withdraw your own request, press Cancel';
        return `you may not ${decision} this: it needs ${needed}`;
    }
  }

  #closedReason(request: ApprovalRequest): string {
    const decided = request.decidedBy;
    if (request.status === 'expired' || !decided) {
      return (
        `this request expired at ${iso(request.expiresAt)} with ${request.approvals.length} of ` +
        `${request.rule.count} approvals; ask again`
      );
    }
    const verb = { approve: 'approved', deny: 'denied', cancel: 'cancelled' }[decided.decision];
    return `this request was already ${verb} by ${decided.by.name} at ${iso(decided.at)}`;
  }

  #parse(fields: Record<string, string>): ApprovalRequest {
    const fixed = storedRequestSchema.parse(JSON.parse(fields.request ?? 'null'));
    let status = statusSchema.parse(fields.status);
    if (status === 'pending' && this.#clock() >= fixed.expiresAt) status = 'expired';
    const request: ApprovalRequest = {
      ...fixed,
      status,
      approvals: approvalsSchema.parse(JSON.parse(fields.approvals ?? '[]')),
    };
    if (fields.decidedBy) request.decidedBy = decidedBySchema.parse(JSON.parse(fields.decidedBy));
    return request;
  }
}
