// upgrade: the approved rolling upgrade, one node at a time (upgrade/upgrade-node.ts has the
// steps). Between steps it honours Pause, Resume and Abort; an abort brings a drained node back
// first, so no node is left in maintenance. The first failure stops everything, and the result
// says where the cluster stands, node by node.
import { z } from 'zod';
import { isTransientFailure } from '../classify-failure.js';
import type { JobContext } from '../job-context.js';
import { JobError, JobErrorCode } from '../job-error.js';
import { defineJobKind, type LockTarget } from '../job-kind.js';
import { AbortRequested, stepBoundary } from '../step-boundary.js';
import { safetyNetStep } from '../steps/safety-net-step.js';
import { upgradeMemo } from '../upgrade/upgrade-memo.js';
import {
  drain,
  preflight,
  rebootIfNeeded,
  restore,
  type UpgradeTimings,
  upgradePackages,
} from '../upgrade/upgrade-node.js';
import { type UpgradePlan, upgradePlanSchema } from '../upgrade/upgrade-plan.js';
import { upgradeReport } from '../upgrade/upgrade-report.js';
import type { GuestTarget } from './guest-target.js';

export const upgradePayloadSchema = z.object({
  plan: upgradePlanSchema,
  /** Waits, in ms; the defaults suit real clusters (tests shorten them). */
  timings: z
    .object({
      pollMs: z.number().int().min(50).default(1_000),
      drainTimeoutMs: z
        .number()
        .int()
        .min(1_000)
        .default(30 * 60_000),
      rebootTimeoutMs: z
        .number()
        .int()
        .min(1_000)
        .default(20 * 60_000),
    })
    .default({ pollMs: 1_000, drainTimeoutMs: 30 * 60_000, rebootTimeoutMs: 20 * 60_000 }),
});

function locksOf(plan: UpgradePlan): LockTarget[] {
  return [
    // One rolling upgrade at a time: two would drain two nodes at once.
    { key: 'cluster:upgrade', label: 'the cluster (a rolling upgrade)' },
    ...plan.steps.flatMap((step) => [
      { key: `node:${step.node}`, label: `node ${step.node}` },
      ...[...step.moves, ...step.haGuests].map((g) => ({
        key: `guest:${g.vmid}`,
        label: g.name ? `${g.name} (${g.type}/${g.vmid})` : `${g.type}/${g.vmid}`,
      })),
    ]),
  ];
}

/** The guests on `node` when its step began (kept, so a re-run after the drain sees the same). */
function guestsOnNode(ctx: JobContext<unknown>, node: string): Promise<GuestTarget[]> {
  if (!ctx.safetyNet) return Promise.resolve([]);
  return ctx.memo(`safety-net:${node}:guests`, async () =>
    (await ctx.pve.clusterResources('vm', ctx.signal))
      .filter((g) => g.node === node && !g.template)
      .map((g) => ({ vmid: g.vmid, type: g.type, node: g.node, ...(g.name ? { name: g.name } : {}) })),
  );
}

export const upgradeKind = defineJobKind({
  name: 'upgrade',
  payload: upgradePayloadSchema,
  controllable: true,
  // Node by node, before each node's turn (see guestsOnNode).
  snapshotsItsOwnGuests: true,
  locks: (payload) => locksOf(payload.plan),
  async run(ctx) {
    const { plan, timings } = ctx.payload;
    const t: UpgradeTimings = timings;
    let current: string | undefined;
    try {
      for (const [index, step] of plan.steps.entries()) {
        const { node } = step;
        const memo = upgradeMemo(node);
        if (ctx.recall(memo.done)) continue;
        current = node;
        const where = `${node} (${index + 1} of ${plan.steps.length})`;
        // A boundary only before a step not yet done: after a new slice the pause message names
        // the step the job really waits before, not the node's first one.
        if (!ctx.recall(memo.preflight)) await stepBoundary(ctx, `the pre-flight of ${where}`, t.pollMs);
        await preflight(ctx, node, t);
        // The safety net, when asked for: every guest on the node, snapshotted before it moves
        // and before the node's packages and kernel change.
        await safetyNetStep(ctx, `safety-net:${node}`, await guestsOnNode(ctx, node), `upgrade of ${node}`);
        if (!ctx.recall(memo.drained)) await stepBoundary(ctx, `draining ${where}`, t.pollMs);
        await drain(ctx, step, t);
        if (!ctx.recall(memo.distUpgrade))
          await stepBoundary(ctx, `upgrading the packages of ${where}`, t.pollMs);
        await upgradePackages(ctx, node);
        if (ctx.recall(memo.rebootDecision) === undefined)
          await stepBoundary(ctx, `the reboot of ${where}`, t.pollMs);
        const rebooted = await rebootIfNeeded(ctx, node, plan.reboot, t);
        if (!ctx.recall(memo.restoring))
          await stepBoundary(ctx, `bringing the guests back to ${where}`, t.pollMs);
        await restore(ctx, node, t);
        await ctx.memo(memo.done, async () => ({ rebooted }));
        current = undefined;
      }
    } catch (error) {
      if (error instanceof AbortRequested) {
        // No node stays drained: the one in progress gets its guests back before we stop.
        if (current) await restore(ctx, current, t);
        throw new JobError(
          JobErrorCode.Aborted,
          `Upgrade aborted by ${error.by}. Where the cluster stands:\n${upgradeReport(ctx, plan)}`,
        );
      }
      // The end of a slice, a cancel or a passing network failure: the worker handles those.
      if (ctx.signal.aborted || isTransientFailure(error)) throw error;
      const why = error instanceof Error ? error.message : String(error);
      throw new JobError(
        JobErrorCode.UpgradeFailed,
        `Upgrade stopped${current ? ` at ${current}` : ''}: ${why}\nWhere the cluster stands:\n${upgradeReport(ctx, plan)}`,
      );
    }
    const rebooted = plan.steps.filter(
      (s) => ctx.recall<{ rebooted: boolean }>(upgradeMemo(s.node).done)?.rebooted,
    );
    return {
      summary: `Upgraded ${plan.steps.map((s) => s.node).join(', ')}; rebooted ${rebooted.length > 0 ? rebooted.map((s) => s.node).join(', ') : 'none'}; every guest back home`,
      text: upgradeReport(ctx, plan),
      details: { plan },
    };
  },
});
