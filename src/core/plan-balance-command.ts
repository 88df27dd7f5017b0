// `/pve balance`: the plan itself needs reads the bot's token may not make (HA rules) and the
// moves balance jobs remember, so a planning job computes it and proposes it for approval
// (PlannedJob.approvalAfterJob). Here: the settings it plans with, from the operator's defaults
// (BALANCE_*) and the command's flags.
import type { BalanceMethod, BalanceSettings } from '../config/balance-settings.js';
import type { PlanResult } from './plan-command.js';

export interface BalanceArgs {
  method?: BalanceMethod;
  maxMoves?: number;
  dryRun?: boolean;
}

export function planBalanceRequest(args: BalanceArgs, defaults: BalanceSettings): PlanResult {
  const settings: BalanceSettings = {
    ...defaults,
    ...(args.method ? { method: args.method } : {}),
    ...(args.maxMoves ? { maxMoves: args.maxMoves } : {}),
  };
  return {
    ok: true,
    plan: {
      kind: 'balance-plan',
      payload: { settings, dryRun: args.dryRun === true },
      text: `plan a ${settings.method} balance (at most ${settings.maxMoves} migrations, ${settings.headroomPercent} % headroom)${args.dryRun ? ', dry run' : ''}`,
      approvalAfterJob: true,
    },
  };
}
