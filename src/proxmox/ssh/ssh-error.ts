// The one error class of the SSH runner. As with PveError, callers branch on `code`, never on the
// message, and errors cross Redis as JSON, so `isSshError` checks the name, not the prototype.

export type SshErrorCode =
  /** known_hosts has no entry for the node: nothing was sent; add its key (the message says how). */
  | 'SSH_HOST_KEY_UNKNOWN'
  /** The node presented a key known_hosts does not list for it, or one marked @revoked. */
  | 'SSH_HOST_KEY_CHANGED'
  /** The node refused the key (not in root's authorized_keys, or another user). */
  | 'SSH_AUTH_FAILED'
  /** Could not connect (refused, unreachable, reset), or the connection dropped mid-command. */
  | 'SSH_CONNECTION'
  /** No SSH handshake within connectTimeoutMs, or the command outran its timeoutMs. */
  | 'SSH_TIMEOUT'
  /** The caller's AbortSignal fired. */
  | 'SSH_ABORTED'
  /** The private key cannot be used (unparseable, encrypted, or a public key). */
  | 'SSH_KEY_INVALID';

export interface SshErrorFields {
  code: SshErrorCode;
  message: string;
  /** The PVE node the command was for. */
  node: string;
  /** Worth retrying as is: the connect phase failed for a reason that may pass (node rebooting). */
  transient?: boolean;
  /** For failures after the command started: its last output lines, as in SshResult.tail. */
  tail?: string[];
  cause?: unknown;
}

export class SshError extends Error {
  override readonly name = 'SshError';
  readonly code: SshErrorCode;
  readonly node: string;
  /**
   * True only for SSH_CONNECTION and SSH_TIMEOUT while connecting: nothing reached the node, so
   * the same call can be retried. A failure after the command started is never transient (it may
   * have run; retrying blindly could run it twice).
   */
  readonly transient: boolean;
  declare readonly tail?: string[];

  constructor(fields: SshErrorFields) {
    super(fields.message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.code = fields.code;
    this.node = fields.node;
    this.transient = fields.transient ?? false;
    // `declare`d, set only when present, so logs and JSON show what matters.
    if (fields.tail !== undefined)
      Object.defineProperty(this, 'tail', { value: fields.tail, enumerable: true });
  }

  /** A plain object for logs and queues (Error's own fields are not enumerable). */
  toJSON(): Record<string, unknown> {
    return { ...(this as Record<string, unknown>), name: this.name, message: this.message };
  }
}

/** True for an SshError, or for its JSON form after a trip through a queue. */
export function isSshError(value: unknown, code?: SshErrorCode): value is SshError {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { name?: unknown; code?: unknown };
  if (candidate.name !== 'SshError' || typeof candidate.code !== 'string') return false;
  return code === undefined || candidate.code === code;
}
