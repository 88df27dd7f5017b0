import { z } from 'zod';
import { BALANCE_METHODS } from '../../../config/balance-settings.js';
import { defineCommand } from '../define-command.js';
import { choice, integer } from '../value-schemas.js';

export const balanceCommand = defineCommand({
  name: 'balance',
  summary: 'Even out the load across nodes: a plan of migrations, approved, then carried out',
  description:
    'Plans from one read of the cluster: the spread between the busiest and the idlest node before and after, each move (guest, from, to, why) and every node’s projected load, keeping headroom on every target. Respects HA rules and ProxLB’s plb_pin_/plb_affinity_/plb_anti_affinity_/plb_ignore_ tags, skips templates, locked and recently moved guests, and says "no beneficial move" when moving would not help enough. The approval covers exactly the plan shown (its hash): if the cluster changed by the time it runs, the new plan is proposed instead.',
  positionals: [],
  flags: {
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
  risk: 'disruptive',
  examples: ['balance', 'balance --method cpu --max-moves 3', 'balance --dry-run'],
});
