// Taking one snapshot as a job step, the same way for `/pve snapshot` and for a snapshot the bot
// takes before something disruptive (the safety net): one qmsnapshot/vzsnapshot task started
// through ctx.runTask (its UPID saved before any wait), followed by ctx.watchTask, then one read
// of the guest's snapshots to learn what PVE really kept (a RAM state is silently left out for a
// stopped VM). Every stage is kept in the job, so a worker that dies resumes the same task instead
// of taking a second snapshot. PVE refuses a name already used, a locked guest or a template
// inside the task: the task's end throws PVE's words (PVE_TASK_FAILED).
import type { JobContext } from '../job-context.js';
import { guestLabel } from '../kinds/guest-target.js';

export interface SnapshotGuest {
  vmid: number;
  type: 'qemu' | 'lxc';
  node: string;
  name?: string | undefined;
}

export interface TakeSnapshotOptions {
  name: string;
  /** Include the RAM (a running QEMU guest only; ignored for containers, which have none to keep). */
  vmstate?: boolean;
  description?: string;
  /** Put before the progress text, e.g. `node01, guest 2 of 5: `. */
  phasePrefix?: string;
}

export interface TakenSnapshot {
  name: string;
  /** Whether PVE kept the RAM with it. */
  withRam: boolean;
  upid: string;
  /** From the start of the step to the task's end, whole seconds. */
  seconds: number;
  logTail: string[];
}

export async function takeSnapshotStep(
  ctx: JobContext<unknown>,
  step: string,
  guest: SnapshotGuest,
  options: TakeSnapshotOptions,
): Promise<TakenSnapshot> {
  const { name, description, phasePrefix = '' } = options;
  const vmstate = options.vmstate === true && guest.type === 'qemu';
  const label = guestLabel(guest);
  const started = await ctx.memo(`${step}:started`, async () => Date.now());
  const upid = await ctx.runTask(
    step,
    () =>
      ctx.pve.createSnapshot(
        guest,
        { name, ...(vmstate ? { vmstate } : {}), ...(description ? { description } : {}) },
        ctx.signal,
      ),
    { types: [guest.type === 'qemu' ? 'qmsnapshot' : 'vzsnapshot'], vmid: guest.vmid },
  );
  const task = await ctx.watchTask(
    step,
    upid,
    `${phasePrefix}taking snapshot ${name} of ${label}${vmstate ? ' with its RAM' : ''}`,
  );
  const ended = await ctx.memo(`${step}:ended`, async () => Date.now());
  const withRam = await ctx.memo(`${step}:ram`, async () => {
    const list = await ctx.pve.snapshots(guest, ctx.signal);
    return list.snapshots.find((s) => s.name === name)?.withRam === true;
  });
  return { name, withRam, upid, seconds: Math.round((ended - started) / 1000), logTail: task.logTail };
}
