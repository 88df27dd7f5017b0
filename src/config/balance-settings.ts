// What a balance run may do and aims at. The operator sets the defaults (BALANCE_* variables);
// `/pve balance --method cpu --max-moves 3` overrides two of them. The settings travel with the
// plan, so the approved job recomputes with exactly the settings that produced what was approved.
import { z } from 'zod';

export const BALANCE_METHODS = ['memory', 'cpu'] as const;
export type BalanceMethod = (typeof BALANCE_METHODS)[number];

export const balanceSettingsSchema = z.object({
  /** What "load" means: memory (used / total) or CPU (cores busy / cores). */
  method: z.enum(BALANCE_METHODS).default('memory'),
  /** The most migrations one plan contains. */
  maxMoves: z.number().int().min(1).max(100).default(10),
  /** Share of a target's memory (and, with --method cpu, of its CPU) that stays free after the moves, in %. */
  headroomPercent: z.number().min(0).max(50).default(10),
  /**
   * Balancing starts when busiest − idlest exceeds this many percentage points, and then aims at
   * half of it: the gap between the two is what keeps a balanced cluster from being re-balanced.
   */
  thresholdPoints: z.number().min(1).max(100).default(15),
  /** A plan must narrow the spread by at least this many points to be worth any migration. */
  minGainPoints: z.number().min(0).max(100).default(5),
  /** A guest migrated (by anyone) within this many minutes is not moved. */
  cooldownMinutes: z
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 60)
    .default(60),
  /** Migrations at once on any one node while the plan runs (1: one at a time). */
  parallelPerNode: z.number().int().min(1).max(4).default(1),
});
export type BalanceSettings = z.output<typeof balanceSettingsSchema>;

export const DEFAULT_BALANCE_SETTINGS: BalanceSettings = balanceSettingsSchema.parse({});
