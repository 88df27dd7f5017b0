// balance: the approved plan. It first plans again from a fresh read; if the cluster drifted so
// the moves differ (another hash), it proposes the new plan for approval and moves nothing: an
// approval covers exactly the plan that was shown. Otherwise it migrates the guests (see
// balance/run-balance-moves.ts) and reports the spread PVE shows afterwards.
import { z } from 'zod';
import type { NodeResource } from '../../proxmox/schemas/cluster-schemas.js';
import { type BalancePlan, balancePlanSchema } from '../balance/balance-plan.js';
import { balanceHeadline } from '../balance/describe-balance-plan.js';
import { planBalance } from '../balance/plan-balance.js';
import { readBalanceInput } from '../balance/read-balance-input.js';
import { describeOutcomes, runBalanceMoves } from '../balance/run-balance-moves.js';
import { JobError, JobErrorCode } from '../job-error.js';
import { defineJobKind } from '../job-kind.js';
import { proposeBalance, requesterSchema } from './balance-plan-kind.js';
import { guestLabel } from './guest-target.js';

export const balancePayloadSchema = z.object({
  plan: balancePlanSchema,
  requester: requesterSchema,
  /** How often a paused run looks for Resume or Abort, in ms (tests shorten it). */
  pollMs: z.number().int().min(50).default(1_000),
});

const round1 = (n: number) => Math.round(n * 10) / 10;

export const balanceKind = defineJobKind({
  name: 'balance',
  payload: balancePayloadSchema,
  // Pause, Resume and Abort between moves; a migration in flight is never cut.
  controllable: true,
  locks: ({ plan }) => [
    // Two balance plans at once would each plan without the other's moves.
    { key: 'cluster:balance', label: 'the cluster (a balance run)' },
    ...plan.moves.map((m) => ({
      key: `guest:${m.vmid}`,
      label: guestLabel(m),
    })),
  ],
  async run(ctx) {
    const { plan: approved, requester } = ctx.payload;
    // Once per job: after a crash mid-plan the cluster has changed by our own moves.
    const plan = await ctx.memo<BalancePlan>('recheck', async () =>
      planBalance(await readBalanceInput(ctx, approved.settings)),
    );
    if (plan.hash !== approved.hash) {
      const drift = `The cluster changed since plan ${approved.hash} was approved, so nothing moved`;
      const outcome = proposeBalance(
        plan,
        requester,
        plan.outcome === 'moves'
          ? `${drift}: the new plan ${plan.hash} needs its own approval`
          : `${drift}: ${balanceHeadline(plan)}`,
      );
      return { ...outcome, details: { ...outcome.details, healthy: false, approvedHash: approved.hash } };
    }
    const outcomes = await runBalanceMoves(ctx, plan, ctx.payload.pollMs);
    const report = describeOutcomes(plan, outcomes);
    const moved = outcomes.filter((o) => o.status === 'moved').length;
    if (outcomes.some((o) => o.status === 'failed')) {
      throw new JobError(
        JobErrorCode.BalanceFailed,
        `Balance stopped at the first failure after ${moved} of ${plan.moves.length} migrations:\n${report}`,
      );
    }
    // What PVE shows now, beside what the plan projected.
    const nodes = (await ctx.pve.clusterResources('node', ctx.signal)).filter(
      (n): n is NodeResource => n.type === 'node' && plan.nodes.some((p) => p.node === n.node),
    );
    const loads = nodes.map((n) =>
      plan.settings.method === 'memory' ? (100 * (n.mem ?? 0)) / (n.maxmem || 1) : 100 * (n.cpu ?? 0),
    );
    const spreadNow = loads.length > 1 ? round1(Math.max(...loads) - Math.min(...loads)) : 0;
    return {
      summary: `Moved ${moved} guest${moved === 1 ? '' : 's'}: ${plan.settings.method} spread ${plan.spreadBefore} → ${spreadNow} points (projected ${plan.spreadAfter})`,
      text: report,
      details: { plan, spreadNow },
    };
  },
});
