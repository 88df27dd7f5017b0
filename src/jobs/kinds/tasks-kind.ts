// tasks: the cluster's recent PVE tasks, newest first, from one read of /cluster/tasks (what
// pvestatd broadcasts of every node's task list): what ran, where, by whom, how it ended and how
// long it took. On-call's first question after an alert is "what just happened?".
import { z } from 'zod';
import type { ClusterTask } from '../../proxmox/schemas/cluster-schemas.js';
import { isTaskSuccess } from '../../proxmox/task-api.js';
import { taskWords } from '../digest/task-words.js';
import { defineJobKind } from '../job-kind.js';

export const tasksPayloadSchema = z.object({
  /** Only this node's tasks, or only this guest's (the task's id is its vmid). */
  node: z.string().min(1).optional(),
  vmid: z.number().int().min(100).optional(),
  /** Only the tasks that failed (an exit status other than OK or WARNINGS: n). */
  failed: z.boolean().default(false),
  limit: z.number().int().min(1).max(50).default(10),
});

/** PVE counts a task that ended with warnings as a success. */
function failed(task: ClusterTask): boolean {
  return task.status !== undefined && !isTaskSuccess(task.status);
}

function line(task: ClusterTask): string {
  const at =
    task.starttime === undefined
      ? '?'
      : `${new Date(task.starttime * 1000).toISOString().slice(5, 16).replace('T', ' ')}Z`;
  const took =
    task.starttime !== undefined && task.endtime !== undefined ? ` · ${task.endtime - task.starttime} s` : '';
  const outcome = task.status === undefined ? 'running' : task.status;
  return `${at} ${task.node} ${taskWords(task.type, task.id || undefined)} · ${task.user ?? '?'} · ${outcome}${took}`;
}

export const tasksKind = defineJobKind({
  name: 'tasks',
  payload: tasksPayloadSchema,
  async run(ctx) {
    const { node, vmid, limit } = ctx.payload;
    const tasks = (await ctx.pve.clusterTasks(ctx.signal))
      .filter((t) => node === undefined || t.node === node)
      .filter((t) => vmid === undefined || t.id === String(vmid))
      .filter((t) => !ctx.payload.failed || failed(t))
      .sort((a, b) => (b.starttime ?? 0) - (a.starttime ?? 0));
    const shown = tasks.slice(0, limit);
    const where = node ?? (vmid === undefined ? 'the cluster' : `guest ${vmid}`);
    const which = ctx.payload.failed ? 'failed tasks' : 'tasks';
    const failures = tasks.filter(failed).length;
    return {
      summary:
        shown.length === 0
          ? `No recent ${which} on ${where}`
          : `${tasks.length} recent ${which} on ${where}${ctx.payload.failed || failures === 0 ? '' : `, ${failures} failed`}${shown.length < tasks.length ? `; the newest ${shown.length}` : ''}`,
      ...(shown.length > 0 ? { text: shown.map(line).join('\n') } : {}),
      details: { count: tasks.length, failed: failures },
    };
  },
});
