// `balance`: the plan needs reads the bot's token may not make (HA rules) and the moves balance
// jobs remember, so a planning job computes it and proposes it for approval (`approvalAfterJob`).
// Here: the settings it plans with, from the operator's defaults (BALANCE_*) and the flags.
import { z } from 'zod';
import type { BalanceSettings } from '../../config/balance-settings.js';
import { BALANCE_METHODS } from '../../config/balance-settings.js';
import { defineCommand } from '../grammar/define-command.js';
import { choice, integer } from '../grammar/value-schemas.js';
import { type ArgsOf, defineChatCommand } from './define-chat-command.js';
import type { PlanResult } from './planned-job.js';
import { scheduleExclusive, scheduleFlags } from './schedule-flags.js';

const definition = defineCommand({
  name: 'balance',
  summary: 'Even out the load across nodes: a plan of migrations, approved, then carried out',
  description:
    'Plans from one read of the cluster: the spread between the busiest and the idlest node before and after, each move (guest, from, to, why) and every node’s projected load, keeping headroom on every target. Respects HA rules and ProxLB’s plb_pin_/plb_affinity_/plb_anti_affinity_/plb_ignore_ tags, skips templates, locked and recently moved guests, and says "no beneficial move" when moving would not help enough. The approval covers exactly the plan shown (its hash): if the cluster changed by the time it runs, the new plan is proposed instead.',
  positionals: [],
  flags: {
    ...scheduleFlags,
    method: {
      schema: choice(BALANCE_METHODS, 'a balancing method'),
      description: 'memory (default) or cpu: what load means',
      value: 'method',
    },
    'max-moves': {
      schema: integer(1, 100, 'a number of migrations'),
      description: 'at most this many migrations (default from BALANCE_MAX_MOVES, 10)',
      value: 'n',
    },
    'dry-run': { schema: z.boolean(), description: 'show the plan only; nothing moves' },
  },
  exclusive: [scheduleExclusive],
  risk: 'disruptive',
  examples: ['balance', 'balance --method cpu --max-moves 3', 'balance --dry-run'],
});

export function planBalanceRequest(args: ArgsOf<typeof definition>, defaults: BalanceSettings): PlanResult {
  const settings: BalanceSettings = {
    ...defaults,
    ...(args.method ? { method: args.method } : {}),
    ...(args.maxMoves ? { maxMoves: args.maxMoves } : {}),
  };
  return {
    ok: true,
    plan: {
      kind: 'balance-plan',
      payload: { settings, dryRun: args.dryRun },
      text: `plan a ${settings.method} balance (at most ${settings.maxMoves} migrations, ${settings.headroomPercent} % headroom)${args.dryRun ? ', dry run' : ''}`,
      approvalAfterJob: true,
    },
  };
}

export const balanceCommand = defineChatCommand({
  definition,
  handle: (ctx, args) => ctx.request(planBalanceRequest(args, ctx.settings.balance)),
});
