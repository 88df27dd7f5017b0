// The one error class of the PVE client. Callers (jobs, core) branch on `code`, never on the
// message: errors cross process boundaries through Redis as JSON, so `instanceof` is not reliable
// there either (see `isPveError`).

export const PveErrorCode = {
  /** 400 `Parameter verification failed.`; `errors` holds one message per parameter. */
  Parameter: 'PVE_PARAMETER',
  /** 401: token unknown, wrong secret or expired; the body is empty, the reason is the status line. */
  AuthFailed: 'PVE_AUTH_FAILED',
  /** 403 `Permission check failed (/vms/100, VM.PowerMgmt)`. */
  Permission: 'PVE_PERMISSION',
  /** 501: unknown path or method (also the LXC migrate precondition on PVE 8.4). */
  UnknownEndpoint: 'PVE_NOT_IMPLEMENTED',
  /** 595/596/597/599: pveproxy could not reach the node the call is proxied to. */
  NodeUnreachable: 'PVE_NODE_UNREACHABLE',
  /** 500 `VM is locked (migrate)`; `lock` names the lock. */
  Locked: 'PVE_LOCKED',
  /** 500 `cluster not ready - no quorum?`. */
  NoQuorum: 'PVE_NO_QUORUM',
  /**
   * 500 `RPCEnvironment init request failed: Unable to load access control list: Connection
   * refused` (the end is the OS error): pveproxy could not read user.cfg from the cluster file
   * system, pmxcfs being down or not yet back.
   */
  ClusterFsUnavailable: 'PVE_CLUSTER_FS_UNAVAILABLE',
  /**
   * 500 `Configuration file 'nodes/pve1/qemu-server/100.conf' does not exist` (or `lxc/…`): the
   * guest is not on the node the call named (it moved, or never existed); `vmid` is set.
   */
  GuestNotOnNode: 'PVE_GUEST_NOT_ON_NODE',
  /** 500 `no such cluster node 'x'`: a migrate/clone target that is not a cluster member. */
  NoSuchNode: 'PVE_NO_SUCH_NODE',
  /**
   * 500 `VM 100 not running`, `CT 101 already running` (and the VM/CT variants): the guest is
   * not in the state the action needs; `vmid` is set. Checked before any task exists.
   */
  GuestState: 'PVE_GUEST_STATE',
  /** `VM <id> already exists`: a vmid raced with another caller (nextid is only a hint). */
  VmidExists: 'PVE_VMID_EXISTS',
  /** Any other 5xx, most business errors (`VM 100 not running`) arrive as plain 500s. */
  ServerError: 'PVE_SERVER_ERROR',
  /** Any other unexpected HTTP status. */
  HttpError: 'PVE_HTTP_ERROR',
  /** No host could be reached, or a connection broke after the request was sent. */
  Connection: 'PVE_CONNECTION',
  /** The server's certificate was refused (fingerprint not pinned, CA or hostname mismatch). */
  Tls: 'PVE_TLS',
  /** A 200 whose body does not match the expected schema. */
  BadResponse: 'PVE_BAD_RESPONSE',
  /** A task ended with an exit status other than `OK` / `WARNINGS: n`. */
  TaskFailed: 'PVE_TASK_FAILED',
  /** No answer in time, or a wait (task, migration) ran out of time. */
  Timeout: 'PVE_TIMEOUT',
  /** The caller aborted the operation through its AbortSignal. */
  Aborted: 'PVE_ABORTED',
  /** A migration refused before it started: the precondition lists the target as not allowed. */
  MigrationBlocked: 'PVE_MIGRATION_BLOCKED',
  /** Invalid client configuration or arguments, detected before any I/O. */
  Config: 'PVE_CONFIG',
} as const;

export type PveErrorCode = (typeof PveErrorCode)[keyof typeof PveErrorCode];

export interface PveErrorFields {
  code: PveErrorCode;
  message: string;
  statusCode?: number;
  errors?: Record<string, string>;
  method?: string;
  path?: string;
  host?: string;
  lock?: string;
  vmid?: number;
  upid?: string;
  exitstatus?: string;
  logTail?: string[];
  issues?: unknown[];
  /** For connection failures across several hosts: why each host was given up. */
  hosts?: { host: string; reason: string }[];
  /** For a blocked migration: the precondition's reasons, one line each. */
  reasons?: string[];
  /**
   * For transport failures: false when the failure happened while connecting, so the request
   * never left; true when it may have reached PVE (do not blindly resend a POST).
   */
  mayHaveReachedServer?: boolean;
  cause?: unknown;
}

export class PveError extends Error {
  override readonly name = 'PveError';
  readonly code: PveErrorCode;
  declare readonly statusCode?: number;
  declare readonly errors?: Record<string, string>;
  declare readonly method?: string;
  declare readonly path?: string;
  declare readonly host?: string;
  declare readonly lock?: string;
  declare readonly vmid?: number;
  declare readonly upid?: string;
  declare readonly exitstatus?: string;
  declare readonly logTail?: string[];
  declare readonly issues?: unknown[];
  declare readonly hosts?: { host: string; reason: string }[];
  declare readonly reasons?: string[];
  declare readonly mayHaveReachedServer?: boolean;

  constructor(fields: PveErrorFields) {
    super(fields.message, fields.cause === undefined ? undefined : { cause: fields.cause });
    const { message: _message, cause: _cause, ...rest } = fields;
    this.code = fields.code;
    // Only the fields that are set, so logs and inspection show what matters. The optional
    // fields are `declare`d: no class-field initialisers would reset them to undefined.
    for (const [key, value] of Object.entries(rest)) {
      if (value !== undefined && key !== 'code')
        Object.defineProperty(this, key, { value, enumerable: true });
    }
  }

  /** A plain object for logs and queues (Error's own fields are not enumerable). */
  toJSON(): Record<string, unknown> {
    const { cause: _cause, ...fields } = { ...this } as Record<string, unknown>;
    return { ...fields, name: this.name, message: this.message };
  }
}

/** True for a PveError, or for its JSON form after a trip through a queue. */
export function isPveError(value: unknown, code?: PveErrorCode): value is PveError {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { name?: unknown; code?: unknown };
  if (candidate.name !== 'PveError' || typeof candidate.code !== 'string') return false;
  return code === undefined || candidate.code === code;
}
