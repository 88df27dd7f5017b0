import { parseUpid } from './parse-upid.js';
import { pvePath } from './pve-path.js';
import type { PveTransport } from './pve-transport.js';
import { nullSchema } from './schemas/guest-schemas.js';
import {
  type TaskLogLine,
  type TaskStatus,
  taskLogSchema,
  taskStatusSchema,
} from './schemas/task-schemas.js';

/** `exitstatus` of a successful task (`UPID.pm status_is_error`). */
export function isTaskSuccess(exitstatus: string | undefined): boolean {
  return exitstatus === 'OK' || /^WARNINGS: \d+$/.test(exitstatus ?? '');
}

// Status and log are read from the UPID's own node: the log file is only there (Tasks.pm).

export function getTaskStatus(
  transport: PveTransport,
  upid: string,
  signal?: AbortSignal,
): Promise<TaskStatus> {
  const { node } = parseUpid(upid);
  return transport.request('GET', pvePath`/nodes/${node}/tasks/${upid}/status`, {
    schema: taskStatusSchema,
    signal,
  });
}

/** Log lines after the first `start` lines; `limit=0` means to the end of the file. */
export function readTaskLog(
  transport: PveTransport,
  upid: string,
  start: number,
  signal?: AbortSignal,
): Promise<TaskLogLine[]> {
  const { node } = parseUpid(upid);
  return transport.request('GET', pvePath`/nodes/${node}/tasks/${upid}/log`, {
    params: { start, limit: 0 },
    schema: taskLogSchema,
    signal,
  });
}

/** Stops a running task: SIGTERM to its process group; it ends with `received interrupt`. */
export async function stopTask(transport: PveTransport, upid: string): Promise<void> {
  const { node } = parseUpid(upid);
  await transport.request('DELETE', pvePath`/nodes/${node}/tasks/${upid}`, { schema: nullSchema });
}
