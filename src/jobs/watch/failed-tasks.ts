// Failed tasks of the cluster: each task that ended in failure since the previous look, once. A
// task counts when it is in the task list now, finished, was not finished in the previous look's
// list, and ended no earlier than the newest end that list had for its node (so a node that comes
// back and lists its old tasks again does not report them anew). Filtered by type
// (ALERT_TASK_TYPES, ALERT_TASK_IGNORE), and the bot's own tasks are left out: their jobs report
// them in their threads. A few make a card each; more in one look make one card listing them.
import { createHash } from 'node:crypto';
import type { WatchSettings } from '../../config/read-watch-config.js';
import { parseUpid } from '../../proxmox/parse-upid.js';
import type { ClusterTask } from '../../proxmox/schemas/cluster-schemas.js';
import { isTaskSuccess } from '../../proxmox/task-api.js';
import type { AlertInput } from '../alerts/alert.js';
import { code, duration, listNames, shorten, when } from '../digest/digest-format.js';
import { taskWords } from '../digest/task-words.js';
import type { ClusterLook } from './cluster-look.js';
import type { WatchMemory } from './watch-memory.js';

/** More failures than this in one look make one card, not one each. */
export const TASKS_PER_LOOK_ALONE = 3;
/** A task's end may be this much older than the node's newest end seen before (lists lag). */
const GRACE_S = 60;
/** Lines of a grouped card shown in its text; all of them are in its attached list. */
const GROUP_LINES_SHOWN = 10;

export type TaskMemory = NonNullable<WatchMemory['tasks']>;

export interface TaskFilter extends Pick<WatchSettings, 'taskTypes' | 'taskIgnore'> {
  /** The bot's PVE user (`chatops@pve!bot`): its tasks are reported by its own jobs. */
  ownUser?: string | undefined;
}

interface Finished extends ClusterTask {
  status: string;
  endtime: number;
}

function finished(task: ClusterTask): task is Finished {
  return task.status !== undefined && task.endtime !== undefined;
}

/** `chatops@pve!bot`, as a token's tasks carry it in their UPID. */
function startedBy(task: ClusterTask): string | undefined {
  try {
    const upid = parseUpid(task.upid);
    return upid.tokenid === undefined ? upid.user : `${upid.user}!${upid.tokenid}`;
  } catch {
    return task.user;
  }
}

export function wanted(task: ClusterTask, filter: TaskFilter): boolean {
  if (filter.taskTypes.length > 0 && !filter.taskTypes.includes(task.type)) return false;
  if (filter.taskIgnore.includes(task.type)) return false;
  return filter.ownUser === undefined || startedBy(task) !== filter.ownUser;
}

/** The failed tasks that are news, and what to remember for the next look. */
export function findFailedTasks(
  tasks: ClusterTask[],
  before: TaskMemory | undefined,
  previousLookAt: number | undefined,
  filter: TaskFilter,
): { failed: Finished[]; memory: TaskMemory } {
  const done = tasks.filter(finished);
  const endedBy: Record<string, number> = { ...before?.endedBy };
  for (const task of done) endedBy[task.node] = Math.max(endedBy[task.node] ?? 0, task.endtime);
  // A node absent from this list (offline: its part of the list may be gone until it is back)
  // keeps what was seen of it, so its old tasks are not news when they come back.
  const listed = new Set(tasks.map((t) => t.node));
  const kept = (before?.seen ?? []).filter((upid) => !listed.has(upid.split(':')[1] ?? ''));
  const memory = { seen: [...kept, ...done.map((t) => t.upid)], endedBy };
  // First look (or the last one could not read the list): what is there is history.
  if (!before) return { failed: [], memory };
  const seen = new Set(before.seen);
  // A node the last look had no end for: from about then, in the worker's clock.
  const fallback = previousLookAt === undefined ? 0 : Math.floor(previousLookAt / 1000);
  const failed = done
    .filter((task) => !seen.has(task.upid) && !isTaskSuccess(task.status))
    .filter((task) => task.endtime >= (before.endedBy[task.node] ?? fallback) - GRACE_S)
    .filter((task) => wanted(task, filter))
    .sort((a, b) => a.endtime - b.endtime || (a.upid < b.upid ? -1 : 1));
  return { failed, memory };
}

function subject(task: ClusterTask, look: ClusterLook): string {
  const vmid = task.id !== undefined && /^\d+$/.test(task.id) ? Number(task.id) : undefined;
  const guest = vmid === undefined ? undefined : look.guests.get(vmid);
  return taskWords(task.type, guest?.label ?? (task.id || undefined));
}

function outcome(status: string): string {
  // fork_worker never wrote a last line: the node died (or rebooted) under the worker.
  if (status === 'unexpected status') return 'cut off (its node went down while it ran)';
  return shorten(status);
}

function taskLine(task: Finished, look: ClusterLook): string {
  return `${when(task.endtime * 1000, look.at)} ${task.node}: ${subject(task, look)} · ${task.user ?? '?'} · ${outcome(task.status)}`;
}

function offer(nodes: string[]) {
  const [only] = nodes;
  return [
    {
      label: 'Failed tasks',
      command: nodes.length === 1 && only ? `tasks ${only} --failed` : 'tasks --failed',
    },
  ];
}

export function failedTaskAlerts(failed: Finished[], look: ClusterLook): AlertInput[] {
  const common = {
    source: 'watch' as const,
    type: 'task' as const,
    severity: 'error' as const,
    state: 'event' as const,
    at: look.at,
  };
  if (failed.length <= TASKS_PER_LOOK_ALONE) {
    return failed.map((task) => ({
      ...common,
      key: `task:${task.upid}`,
      title: `Task failed on ${task.node}: ${subject(task, look)}`,
      text: task.status === 'unexpected status' ? outcome(task.status) : code(shorten(task.status)),
      fields: [
        { label: 'Node', value: task.node },
        { label: 'Task', value: task.type },
        ...(task.id ? [{ label: 'ID', value: task.id }] : []),
        { label: 'User', value: task.user ?? '?' },
        { label: 'Ended', value: when(task.endtime * 1000, look.at) },
        ...(task.starttime === undefined
          ? []
          : [{ label: 'Took', value: duration(task.endtime - task.starttime) }]),
      ],
      offers: offer([task.node]),
    }));
  }
  const nodes = [...new Set(failed.map((t) => t.node))];
  const lines = failed.map((task) => taskLine(task, look));
  const digest = createHash('sha256')
    .update(failed.map((t) => t.upid).join('\n'))
    .digest('hex')
    .slice(0, 16);
  return [
    {
      ...common,
      key: `task:group:${digest}`,
      title: `${failed.length} tasks failed on ${listNames(nodes)}`,
      text:
        lines.slice(0, GROUP_LINES_SHOWN).join('\n') +
        (lines.length > GROUP_LINES_SHOWN
          ? `\n… and ${lines.length - GROUP_LINES_SHOWN} more (attached)`
          : ''),
      fields: [
        { label: 'Nodes', value: listNames(nodes) },
        { label: 'Types', value: listNames([...new Set(failed.map((t) => t.type))]) },
      ],
      ...(lines.length > GROUP_LINES_SHOWN
        ? {
            log: {
              name: 'failed-tasks.txt',
              text: failed.map((t) => `${taskLine(t, look)}\n  ${t.upid}`).join('\n'),
            },
          }
        : {}),
      offers: offer(nodes),
    },
  ];
}
