// The sentences a user reads when a click changes nothing: why it was refused (self-approval, a
// second approval by the same person, someone else's cancel, no right to decide) or how the
// request had already closed. Apart from the store because they are wording, not storage, and
// each names what would work instead.
import type { ChatUser } from '../chat-event.js';
import type { ApprovalDecision, ApprovalRequest } from './approval-request.js';

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Why `user`'s `decision` was refused; `detail` is the script's reason code. */
export function refusalReason(
  detail: string,
  request: ApprovalRequest,
  user: ChatUser,
  decision: ApprovalDecision,
): string {
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

/** How and by whom a request that was no longer pending had closed. */
export function closedReason(request: ApprovalRequest): string {
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
