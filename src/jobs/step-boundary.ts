// A step boundary of a controllable job (the rolling upgrade between its steps, a balance run
// between its moves): waits out a Pause (across slices and crashes), throws on Abort.
import type { JobContext } from './job-context.js';
import { pollUntil } from './upgrade/poll-until.js';

/** Thrown at a step boundary when Abort was pressed; the kind says where things stand. */
export class AbortRequested extends Error {
  override readonly name = 'AbortRequested';
  readonly by: string;
  constructor(by: string) {
    super(`aborted by ${by}`);
    this.by = by;
  }
}

/** @param before what comes next, for the pause message ("the pre-flight of node02 (1 of 3)") */
export async function stepBoundary(ctx: JobContext<unknown>, before: string, pollMs: number): Promise<void> {
  let control = await ctx.control();
  if (control?.action === 'pause') {
    const pausedAt = control.at;
    await ctx.watch(
      `pause:${pausedAt}`,
      `paused by ${control.by} before ${before}; Resume or Abort`,
      (signal) =>
        pollUntil(
          async () => {
            control = await ctx.control();
            return control?.action === 'pause' ? undefined : true;
          },
          { signal, intervalMs: pollMs, deadline: pausedAt + 7 * 24 * 3_600_000, what: 'a Resume' },
        ),
    );
    control = await ctx.control();
  }
  if (control?.action === 'abort') throw new AbortRequested(control.by);
}
