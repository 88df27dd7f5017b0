// Which failures are worth another attempt. Transient: the connection (refused while pveproxy is
// stopped), a node pveproxy could not reach (595), a timeout, a 502/503/504 from a proxy in front,
// and pmxcfs not answering (a 500 before authentication). Business errors (`VM is locked
// (migrate)`, `can't migrate running VM without --online`, a failed task) are final: retrying
// cannot fix them, and they go to the chat verbatim.
//
// A 401 is final: it means the token is wrong, expired, removed or its user disabled, and five
// attempts only hide that for a minute. What PVE's source says about restarts: an upgrade reloads
// pveproxy (pve-manager debian/postinst `reload-or-try-restart`), and a reload re-executes the
// daemon on the same listening socket (pve-common PVE/Daemon.pm restart_daemon clears
// FD_CLOEXEC, PVE_DAEMON_SOCKET_<port>) while the old workers finish their connections
// (pve-http-server AnyEvent.pm wait_end_loop): no request is answered 401 for it. A stopped
// pveproxy refuses connections (PVE_CONNECTION). A restarting pmxcfs makes requests wait up to
// 10 s (pve-cluster IPCC.xs, the cfs-restart-flag), and when it stays away, HTTPServer.pm
// auth_handler fails in init_request, before the token is looked at: a 500 (see
// PVE_CLUSTER_FS_UNAVAILABLE), retried below.
import { ZodError } from 'zod';
import { isPveError, PveErrorCode } from '../proxmox/pve-error.js';
import { SshError } from '../proxmox/ssh/ssh-error.js';
import { JobError } from './job-error.js';

const TRANSIENT_PVE = new Set<string>([
  PveErrorCode.Connection,
  PveErrorCode.NodeUnreachable,
  PveErrorCode.Timeout,
  PveErrorCode.ClusterFsUnavailable,
]);

export function isTransientFailure(error: unknown): boolean {
  if (error instanceof JobError || error instanceof ZodError) return false;
  // Only a connect that reached nothing is retried: a command that started may have run.
  if (error instanceof SshError) return error.transient;
  if (isPveError(error)) {
    if (TRANSIENT_PVE.has(error.code)) return true;
    return error.statusCode !== undefined && [502, 503, 504].includes(error.statusCode);
  }
  // Programming errors will not go away on a retry; anything else (Redis hiccups) may.
  return !(error instanceof TypeError || error instanceof RangeError || error instanceof SyntaxError);
}

// A privilege-separated token holds only what was granted to the token itself, the usual reason
// a token whose user is an administrator is still refused.
const PERMISSION_HINT =
  'the API token (PVE_TOKEN_ID) lacks this privilege; a token with privilege separation has only ' +
  'the permissions granted to the token itself (Datacenter → Permissions → Add → API Token Permission)';

/** The text the chat shows: PVE's own words for PVE failures (a task's exit status verbatim). */
export function failureText(error: unknown): string {
  if (isPveError(error) && error.code === PveErrorCode.TaskFailed && error.exitstatus)
    return error.exitstatus;
  if (isPveError(error) && error.code === PveErrorCode.Permission)
    return `${error.message}: ${PERMISSION_HINT}`;
  return error instanceof Error ? error.message : String(error);
}

export function failureCode(error: unknown): string {
  if (isPveError(error) || error instanceof JobError || error instanceof SshError) return error.code;
  return 'JOB_FAILED';
}
