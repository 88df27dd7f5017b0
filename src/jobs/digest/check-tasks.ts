// Tasks that failed since the previous digest (without one, in the last 24 h), newest first,
// each with PVE's own error text; tasks that ended with warnings in one line.
import type { DigestContext, DigestFinding } from './digest-finding.js';
import { code, guestLabel, listNames, plural, shorten, when } from './digest-format.js';
import type { DigestTask } from './digest-input.js';
import { taskWords } from './task-words.js';

export function checkTasks(ctx: DigestContext): DigestFinding[] {
  const { tasks, readErrors } = ctx.input;
  if (!tasks) {
    if (!readErrors.tasks) return [];
    return [
      {
        section: 'tasks',
        severity: 'warning',
        text: `Task list not read: ${code(readErrors.tasks.message)}`,
        problem: 'task list not read',
      },
    ];
  }
  const recent = tasks
    // Failed backups have their own section (with the guests their log names).
    .filter((t) => !(ctx.input.backups && t.type === 'vzdump'))
    .filter((t) => t.status !== 'OK' && ctx.taskEndedAt(t) > ctx.since)
    .sort((a, b) => b.endtime - a.endtime);
  const withWarnings = recent.filter((t) => /^WARNINGS: \d+$/.test(t.status));
  const failed = recent.filter((t) => !withWarnings.includes(t));
  const problem = plural(failed.length, 'failed task');
  const findings: DigestFinding[] = failed.map((task) => ({
    section: 'tasks',
    severity: 'warning',
    text: `${when(task.endtime * 1000, ctx.now)} ${task.node}: ${describe(ctx, task)} ${outcome(task.status)}`,
    problem,
  }));
  if (withWarnings.length > 0) {
    const what = withWarnings.map((t) => `${describe(ctx, t)} on ${t.node}`);
    findings.push({
      section: 'tasks',
      severity: 'info',
      text: `${plural(withWarnings.length, 'task')} ended with warnings: ${listNames(what, 3)}`,
    });
  }
  return findings;
}

function describe(ctx: DigestContext, task: DigestTask): string {
  const vmid = task.id !== undefined && /^\d+$/.test(task.id) ? Number(task.id) : undefined;
  const subject = vmid === undefined ? task.id : guestLabel(ctx.guest(vmid), vmid);
  return taskWords(task.type, subject);
}

function outcome(status: string): string {
  // fork_worker never wrote a last line: the node died (or rebooted) under the worker.
  if (status === 'unexpected status') return 'was cut off (its node went down while it ran)';
  return `failed: ${code(shorten(status))}`;
}
