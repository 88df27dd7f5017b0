// Which failures are worth another attempt. Transient: the connection, a node pveproxy could not
// reach (595), a timeout, a spurious 401 or 502/503 while pveproxy restarts (an upgrade restarts
// it). Business errors (`VM is locked (migrate)`, `can't migrate running VM without --online`, a
// failed task) are final: retrying cannot fix them, and they go to the chat verbatim.
import { ZodError } from 'zod';
import { isPveError, PveErrorCode } from '../proxmox/pve-error.js';
import { SshError } from '../proxmox/ssh/ssh-error.js';
import { JobError } from './job-error.js';

const TRANSIENT_PVE = new Set<string>([
  PveErrorCode.Connection,
  PveErrorCode.NodeUnreachable,
  PveErrorCode.Timeout,
  PveErrorCode.AuthFailed,
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

/** The text the chat shows: PVE's own words for PVE failures (a task's exit status verbatim). */
export function failureText(error: unknown): string {
  if (isPveError(error) && error.code === PveErrorCode.TaskFailed && error.exitstatus)
    return error.exitstatus;
  return error instanceof Error ? error.message : String(error);
}

export function failureCode(error: unknown): string {
  if (isPveError(error) || error instanceof JobError || error instanceof SshError) return error.code;
  return 'JOB_FAILED';
}
