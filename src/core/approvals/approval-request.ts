// What an approval request is, as the rest of core sees it: its fields, its states, and what a
// decision returns. Apart from the store so the card renderer, the stages and the ports can name
// these types without reaching into how requests are kept in Redis.
import type { JobSchedule } from '../../jobs/job-data.js';
import type { ThreadRef } from '../../jobs/job-events.js';
import type { ChatUser } from '../chat-event.js';
import type { ApprovalRule } from '../policy/policy-types.js';

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
  /** The request asked for the safety net (`--snapshot`): the job snapshots its guests first. */
  snapshotFirst?: boolean;
  /** Approved for later (`--at`, `--window`): approving covers the plan and this time. */
  schedule?: JobSchedule;
  /** The cluster it is for, when the bot drives several. */
  cluster?: string;
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

/** What opening a request takes: the request without what the store sets (id, status, times, decisions). */
export type OpenApprovalInput = Omit<
  ApprovalRequest,
  'id' | 'status' | 'createdAt' | 'expiresAt' | 'approvals' | 'decidedBy'
>;

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
