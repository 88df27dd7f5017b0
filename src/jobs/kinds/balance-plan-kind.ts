// balance-plan: one read of the cluster, the pure planner, and the plan proposed for approval
// (or shown only, with --dry-run, or when no move is worth making).
import { z } from 'zod';
import { balanceSettingsSchema } from '../../config/balance-settings.js';
import type { balancePlanSchema } from '../balance/balance-plan.js';
import { balanceHeadline, describeBalancePlan } from '../balance/describe-balance-plan.js';
import { planBalance } from '../balance/plan-balance.js';
import { readBalanceInput } from '../balance/read-balance-input.js';
import type { JobOutcome } from '../job-kind.js';
import { defineJobKind } from '../job-kind.js';
import { type JobSchedule, jobScheduleSchema } from '../job-schedule.js';

export const requesterSchema = z.object({ id: z.string(), name: z.string(), groups: z.array(z.string()) });

export const balancePlanPayloadSchema = z.object({
  settings: balanceSettingsSchema,
  dryRun: z.boolean().default(false),
  /** Who asked: the approval of the proposed moves is theirs to ask for (and not theirs to give). */
  requester: requesterSchema,
  /** `--at` / `--window`: the proposed moves wait until then. */
  schedule: jobScheduleSchema.optional(),
});

/** The plan as a result: shown, and proposed for approval when it has moves. */
export function proposeBalance(
  plan: z.output<typeof balancePlanSchema>,
  requester: z.output<typeof requesterSchema>,
  summary: string,
  schedule?: JobSchedule,
): JobOutcome {
  const text = describeBalancePlan(plan);
  if (plan.outcome !== 'moves') return { summary, text, details: { plan } };
  return {
    summary,
    text,
    details: { plan },
    proposal: {
      command: 'balance',
      jobKind: 'balance',
      summary: balanceHeadline(plan),
      payload: { plan, requester },
      requester,
      ...(schedule ? { schedule } : {}),
    },
  };
}

export const balancePlanKind = defineJobKind({
  name: 'balance-plan',
  payload: balancePlanPayloadSchema,
  // Reads the moves balance jobs remember, for the cooldown.
  stateOf: 'balance',
  async run(ctx) {
    const { settings, dryRun, requester, schedule } = ctx.payload;
    const plan = planBalance(await readBalanceInput(ctx, settings));
    const headline = balanceHeadline(plan);
    if (dryRun && plan.outcome === 'moves')
      return {
        summary: `Dry run, nothing will move: ${headline}`,
        text: describeBalancePlan(plan),
        details: { plan },
      };
    return proposeBalance(
      plan,
      requester,
      plan.outcome === 'moves' ? `Plan: ${headline}` : headline,
      schedule,
    );
  },
});
