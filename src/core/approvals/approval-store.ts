// Approval requests in Redis (docs/architecture.md, step 5 of one command): single use, expiring,
// N-of-M distinct approvers, no self-approval unless the rule allows it, one Deny closes, only the
// requester cancels. Every transition is one Lua script on one hash, so of any number of
// simultaneous clicks exactly one gets 'approved' and enqueues the job. This module calls the
// scripts; reading a hash back (stored-approval.ts), ids (approval-id.ts) and the refusal wording
// (decision-reasons.ts) live beside it.
import type { Redis } from 'ioredis';
import type { ChatUser } from '../chat-event.js';
import { APPROVAL_ID_PATTERN, newApprovalId } from './approval-id.js';
import { ApprovalNotFoundError } from './approval-not-found-error.js';
import type {
  ApprovalDecision,
  ApprovalRequest,
  DecisionResult,
  OpenApprovalInput,
} from './approval-request.js';
import { CANCEL, DECIDE, OPEN } from './approval-scripts.js';
import { closedReason, refusalReason } from './decision-reasons.js';
import { hashFields, parseStoredApproval } from './stored-approval.js';

// Importers name the request's types and the id maker through the store.
export { newApprovalId } from './approval-id.js';
export type {
  ApprovalDecision,
  ApprovalRequest,
  ApprovalStatus,
  DecisionResult,
  OpenApprovalInput,
} from './approval-request.js';

export interface ApprovalStoreOptions {
  /** Keys are `${prefix}:approval:<id>`. */
  prefix: string;
  clock?: () => number;
  /** How long a closed or expired request stays readable after its expiry, for late clicks. Default: 1 day. */
  retainMs?: number;
  /** Makes request ids; injectable for tests. Default: 8 random base32 characters. */
  newId?: () => string;
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
    if (options.id !== undefined && !APPROVAL_ID_PATTERN.test(options.id))
      throw new RangeError(`an approval id must match ${APPROVAL_ID_PATTERN} (got '${options.id}')`);
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
    if (!APPROVAL_ID_PATTERN.test(id)) return undefined;
    const fields = await this.#redis.hgetall(this.#key(id));
    if (Object.keys(fields).length === 0) return undefined;
    return parseStoredApproval(fields, this.#clock());
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
    const request = parseStoredApproval(hashFields(flat), this.#clock());
    switch (outcome) {
      case 'recorded':
      case 'approved':
      case 'denied':
      case 'cancelled':
        return { outcome, request };
      case 'closed':
        return { outcome, request, reason: closedReason(request) };
      default:
        return { outcome: 'refused', request, reason: refusalReason(detail ?? '', request, user, decision) };
    }
  }
}
