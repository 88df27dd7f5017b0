/** No approval request has this id: it never existed, or it closed long enough ago to be removed. */
export class ApprovalNotFoundError extends Error {
  override readonly name = 'ApprovalNotFoundError';
  readonly code = 'APPROVAL_NOT_FOUND';
  readonly approvalId: string;

  constructor(approvalId: string) {
    super(`No approval request ${approvalId}: it does not exist or was removed a day after it closed`);
    this.approvalId = approvalId;
  }
}
