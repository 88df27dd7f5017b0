// Carries out a balance plan's migrations: in the plan's order, at most `parallelPerNode` at once
// on any node (1: one at a time), live where PVE can. Every move is the one migration step
// (steps/migrate-guest-step.ts), started once per job, so a worker that dies mid-plan resumes
// the running migration instead of starting a second one. The first failure lets running moves
// finish and starts no new one.
import { isTransientFailure } from '../classify-failure.js';
import type { JobContext } from '../job-context.js';
import { JobError, JobErrorCode } from '../job-error.js';
import { guestLabel } from '../kinds/guest-target.js';
import { AbortRequested, stepBoundary } from '../step-boundary.js';
import { migrateGuestStep } from '../steps/migrate-guest-step.js';
import type { BalanceMove, BalancePlan } from './balance-plan.js';
import { recordMove } from './recent-moves.js';

export type MoveOutcome =
  | { status: 'moved' }
  | { status: 'failed'; error: string }
  | { status: 'not started' };

const doneKey = (index: number) => `balance-move:${index}:done`;
const startedKey = (index: number) => `balance-move:${index}:started`;
const stepKey = (index: number, move: BalanceMove) => `balance-move:${index}:${move.vmid}`;

async function runMove(ctx: JobContext<unknown>, plan: BalancePlan, index: number): Promise<void> {
  const move = plan.moves[index]!;
  await ctx.memo(startedKey(index), async () => true);
  // A guest already on its target counts as moved: that is where the plan wants it.
  const guest = { vmid: move.vmid, type: move.type, name: move.name, node: move.from };
  await migrateGuestStep(ctx, stepKey(index, move), guest, move.to, {
    errorCode: JobErrorCode.BalanceFailed,
    phasePrefix: `move ${index + 1} of ${plan.moves.length}: `,
  });
  await ctx.memo(doneKey(index), async () => {
    await recordMove(ctx.state, move.vmid, Date.now());
    return true;
  });
}

/**
 * Runs the moves not done yet; returns each move's outcome, in plan order. Pause and Abort act
 * before a move starts (a running migration is never cut): Abort lets running moves finish and
 * ends with JOB_ABORTED and the move-by-move report.
 */
export async function runBalanceMoves(
  ctx: JobContext<unknown>,
  plan: BalancePlan,
  pollMs: number,
): Promise<MoveOutcome[]> {
  const outcomes: MoveOutcome[] = plan.moves.map((_, i) =>
    ctx.recall(doneKey(i)) ? { status: 'moved' } : { status: 'not started' },
  );
  const busy = new Map<string, number>();
  const limit = plan.settings.parallelPerNode;
  const running = new Set<Promise<void>>();
  let stop: unknown;
  let failed = false;
  for (const [index, move] of plan.moves.entries()) {
    if (outcomes[index]!.status === 'moved') continue;
    // Wait for room on both nodes (and stop starting moves once one failed).
    while (
      !failed &&
      stop === undefined &&
      ((busy.get(move.from) ?? 0) >= limit || (busy.get(move.to) ?? 0) >= limit)
    )
      await Promise.race(running);
    if (failed || stop !== undefined) break;
    if (!ctx.recall(startedKey(index))) {
      try {
        await stepBoundary(
          ctx,
          `move ${index + 1} of ${plan.moves.length}: ${guestLabel(move)} ${move.from} → ${move.to}`,
          pollMs,
        );
      } catch (error) {
        await Promise.all(running);
        if (error instanceof AbortRequested) {
          const moved = outcomes.filter((o) => o.status === 'moved').length;
          throw new JobError(
            JobErrorCode.Aborted,
            `Balance aborted by ${error.by} after ${moved} of ${plan.moves.length} migrations:\n${describeOutcomes(plan, outcomes)}`,
          );
        }
        throw error;
      }
    }
    for (const node of [move.from, move.to]) busy.set(node, (busy.get(node) ?? 0) + 1);
    const task: Promise<void> = runMove(ctx, plan, index)
      .then(() => {
        outcomes[index] = { status: 'moved' };
      })
      .catch((error: unknown) => {
        // The end of a slice, a cancel, a passing network failure: the worker retries the job.
        if (ctx.signal.aborted || isTransientFailure(error)) stop ??= error;
        else {
          failed = true;
          outcomes[index] = {
            status: 'failed',
            error: error instanceof Error ? error.message : String(error),
          };
        }
      })
      .finally(() => {
        for (const node of [move.from, move.to]) busy.set(node, (busy.get(node) ?? 1) - 1);
        running.delete(task);
      });
    running.add(task);
  }
  await Promise.all(running);
  if (stop !== undefined) throw stop;
  return outcomes;
}

/** Move by move: what happened. */
export function describeOutcomes(plan: BalancePlan, outcomes: MoveOutcome[]): string {
  return plan.moves
    .map((move, i) => {
      const outcome = outcomes[i]!;
      const what = `${guestLabel(move)} ${move.from} → ${move.to}`;
      if (outcome.status === 'moved') return `✓ ${what}: moved`;
      if (outcome.status === 'failed') return `✗ ${what}: failed: ${outcome.error}`;
      return `– ${what}: not started`;
    })
    .join('\n');
}
