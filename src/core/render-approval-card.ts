// An approval request as a card: what will run, who asked, who may approve, how many approvals,
// when it expires, and the buttons while it is open; who decided and when once it is closed.
import type { ApprovalRequest } from './approvals/approval-store.js';
import type { Card, CardStatus } from './message.js';

const STATUS: Record<ApprovalRequest['status'], CardStatus> = {
  pending: 'pending',
  approved: 'succeeded',
  denied: 'denied',
  expired: 'expired',
  cancelled: 'cancelled',
};

function time(ms: number): string {
  return `${new Date(ms).toISOString().slice(11, 16)} UTC`;
}

export function renderApprovalCard(request: ApprovalRequest, jobId?: string): Card {
  const fields = [
    { label: 'Requested by', value: request.requester.name },
    { label: 'Approvers', value: request.approverDescription },
    {
      label: 'Approvals',
      value: `${request.approvals.length} of ${request.rule.count}${request.approvals.length ? `: ${request.approvals.map((a) => `${a.by.name} at ${time(a.at)}`).join(', ')}` : ''}`,
    },
  ];
  if (request.status === 'pending') {
    fields.push({ label: 'Expires', value: time(request.expiresAt) });
    return {
      title: request.summary,
      status: 'pending',
      ...(request.details ? { text: request.details } : {}),
      fields,
      buttons: [
        { action: 'approve', label: 'Approve', value: request.id, style: 'primary' },
        { action: 'deny', label: 'Deny', value: request.id, style: 'danger' },
        { action: 'cancel-request', label: 'Cancel', value: request.id },
      ],
      footer: `request ${request.id}`,
    };
  }
  const decided = request.decidedBy;
  const verdict =
    request.status === 'expired'
      ? `Expired at ${time(request.expiresAt)} without enough approvals.`
      : decided
        ? `${request.status[0]!.toUpperCase()}${request.status.slice(1)} by ${decided.by.name} at ${time(decided.at)}.`
        : `${request.status}.`;
  return {
    title: request.summary,
    status: STATUS[request.status],
    text: jobId ? `${verdict} Running as job ${jobId}.` : verdict,
    fields,
    footer: `request ${request.id}`,
  };
}
