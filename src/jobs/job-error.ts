// Errors the job engine raises itself (PVE's own errors are PveError). Each has a stable code
// that travels to the chat in the result event; code branches on `code`, never on the message.

export const JobErrorCode = {
  /** Another job holds the guest or node; the message names it. */
  Busy: 'JOB_RESOURCE_BUSY',
  /** Someone cancelled the job; the message names who. */
  Cancelled: 'JOB_CANCELLED',
  /** The payload does not match its kind's schema (a bug or a stale job from an old version). */
  InvalidPayload: 'JOB_INVALID_PAYLOAD',
  /** No processor is registered for the kind. */
  UnknownKind: 'JOB_UNKNOWN_KIND',
  /** The cluster changed since the request in a way that makes it unsafe to go on. */
  Stale: 'JOB_STALE',
  /** Aborted between steps (Pause/Resume/Abort jobs); the message says where things stand. */
  Aborted: 'JOB_ABORTED',
  /** A step of a rolling upgrade failed (pre-flight, drain, dist-upgrade, reboot, restore). */
  UpgradeFailed: 'UPGRADE_FAILED',
  /** A migration of a balance plan failed; the message says what moved and what did not. */
  BalanceFailed: 'BALANCE_FAILED',
  /** A backup ended with guests that failed (PVE's `job errors`); the message says which and why. */
  BackupFailed: 'BACKUP_FAILED',
  /** The safety net (snapshots first) could not snapshot a guest; nothing at risk was done. */
  SafetyNetFailed: 'SAFETY_NET_FAILED',
  /**
   * Never started: it could not start within the start deadline of its request (Redis was away,
   * the workers were), or its request was answered "not accepted". Nothing ran.
   */
  NotStarted: 'JOB_NOT_STARTED',
  /** The job needs SSH to the nodes and SSH_KEY_FILE / SSH_KNOWN_HOSTS are not set. */
  SshNotConfigured: 'SSH_NOT_CONFIGURED',
} as const;
export type JobErrorCode = (typeof JobErrorCode)[keyof typeof JobErrorCode];

export class JobError extends Error {
  override readonly name = 'JobError';
  readonly code: JobErrorCode;

  constructor(code: JobErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
