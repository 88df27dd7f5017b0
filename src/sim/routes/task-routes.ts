// /nodes/{node}/tasks…: the task index, status and log, served only by the UPID's own node
// (pve-manager PVE/API2/Tasks.pm).

import type { SimCluster } from '../cluster/sim-cluster.js';
import type { SimTask, TaskRecord } from '../cluster/sim-task.js';
import { parseUpid, splitTaskUser } from '../cluster/upid.js';
import { PveHttpError } from '../pve-http-error.js';
import { withTotal } from '../server/with-total.js';
import type { RouteRegistry, SimRequest } from '../types.js';
import { bool, optInt, optStr, str } from './request-params.js';

/** The UPID's fields as the task APIs report them (user and tokenid split). */
function taskFields(record: TaskRecord): Record<string, unknown> {
  const { upid, node, pid, pstart, starttime, type, id, user } = record;
  return { upid, node, pid, pstart, starttime, type, id, ...splitTaskUser(user) };
}

/** A task as the task list and /cluster/tasks report it: the exit status as `status`, once done. */
export function taskEntry(task: SimTask): Record<string, unknown> {
  const entry = taskFields(task.record);
  if (task.record.status === 'stopped') {
    entry.status = task.record.exitstatus;
    entry.endtime = task.record.endtime;
  }
  return entry;
}

function statusClass(task: SimTask): 'ok' | 'warning' | 'error' | 'unknown' {
  const exit = task.record.exitstatus ?? '';
  if (exit === 'OK') return 'ok';
  if (/^WARNINGS: \d+$/.test(exit)) return 'warning';
  if (exit === 'unexpected status') return 'unknown';
  return 'error';
}

/** upid_decode: the task's fields, or 400 `unable to parse worker upid`. */
function decodeUpid(request: SimRequest): { upid: string; node: string } {
  const upid = str(request, 'upid');
  const fields = parseUpid(upid);
  if (!fields) throw PveHttpError.parameters({ upid: 'unable to parse worker upid' });
  return { upid, node: fields.node };
}

/**
 * The task whose log file the node serving {node} has: another node has no such file. Without
 * it, status and DELETE answer 400 `no such task` (their `-f $filename` check).
 */
function localTask(cluster: SimCluster, request: SimRequest): SimTask | undefined {
  const { upid, node } = decodeUpid(request);
  const task = cluster.task(upid);
  return task && node === str(request, 'node') ? task : undefined;
}

function existingTask(cluster: SimCluster, request: SimRequest): SimTask {
  const task = localTask(cluster, request);
  if (!task) throw PveHttpError.parameters({ upid: 'no such task' });
  return task;
}

export function registerTaskRoutes(registry: RouteRegistry, cluster: SimCluster): void {
  registry.on('GET', '/nodes/{node}/tasks', (request) => {
    const source = optStr(request, 'source') ?? 'archive';
    const userfilter = optStr(request, 'userfilter')?.toLowerCase();
    const typefilter = optStr(request, 'typefilter');
    const vmid = optInt(request, 'vmid');
    const since = optInt(request, 'since');
    const until = optInt(request, 'until');
    const statuses = optStr(request, 'statusfilter')
      ?.split(/[,;\s]+/)
      .filter(Boolean);
    const onlyErrors = bool(request, 'errors');
    const matching = cluster.tasks.onNode(str(request, 'node')).filter((task) => {
      const record = task.record;
      if (source === 'archive' && task.running) return false;
      if (source === 'active' && !task.running) return false;
      if (userfilter && !record.user.toLowerCase().includes(userfilter)) return false;
      if (typefilter && record.type !== typefilter) return false;
      if (vmid !== undefined && record.id !== String(vmid)) return false;
      if (since !== undefined && record.starttime < since) return false;
      if (until !== undefined && record.starttime > until) return false;
      if (onlyErrors && (task.running || record.exitstatus === 'OK')) return false;
      if (statuses && !task.running && !statuses.includes(statusClass(task))) return false;
      return true;
    });
    const start = optInt(request, 'start') ?? 0;
    const limit = optInt(request, 'limit') ?? 50;
    const page = matching.slice(start, start + limit).map((task) => {
      const entry = taskEntry(task);
      if (task.running) entry.status = 'RUNNING';
      return entry;
    });
    return withTotal(page, matching.length);
  });

  // upid_index checks nothing, not even the UPID's syntax.
  registry.on('GET', '/nodes/{node}/tasks/{upid}', () => [{ name: 'log' }, { name: 'status' }]);

  registry.on('GET', '/nodes/{node}/tasks/{upid}/status', (request) => {
    const { record } = existingTask(cluster, request);
    const result = { ...taskFields(record), status: record.status };
    return record.status === 'stopped' ? { ...result, exitstatus: record.exitstatus } : result;
  });

  registry.on('GET', '/nodes/{node}/tasks/{upid}/log', (request) => {
    const task = localTask(cluster, request);
    // read_task_log has no `-f` check: PVE::Tools::dump_logfile answers a missing file with one line.
    if (!task) return withTotal([{ n: 1, t: 'unable to open file - No such file or directory' }], 1);
    const start = optInt(request, 'start') ?? 0;
    const limit = optInt(request, 'limit') ?? 50;
    // dump_logfile: an empty log shows one `no content` line (an ExtJS workaround).
    if (task.lines.length === 0) return withTotal([{ n: 1, t: 'no content' }], 1);
    const end = limit === 0 ? task.lines.length : start + limit;
    const lines = task.lines.slice(start, end).map((t, index) => ({ n: start + index + 1, t }));
    return withTotal(lines, task.lines.length);
  });

  registry.on('DELETE', '/nodes/{node}/tasks/{upid}', (request) => {
    // SIGTERM to the worker: its handler dies with `received interrupt`.
    existingTask(cluster, request).stop('interrupt');
    return null;
  });
}
