/** Slack got no ack within its 3 s limit (the person would see "operation_timeout"). */
export class AckTimeoutError extends Error {
  readonly code = 'FAKE_SLACK_ACK_TIMEOUT';
  override readonly name = 'AckTimeoutError';
}
