// A balance plan as it is shown, approved and carried out: the moves in order with their reason,
// every node's load before and after, what was left alone and why, and a hash of the moves that
// the approval covers. Plain JSON: it travels in the approval and the job's payload.
import { z } from 'zod';
import { balanceSettingsSchema } from '../../config/balance-settings.js';

export const balanceMoveSchema = z.object({
  vmid: z.number().int(),
  type: z.enum(['qemu', 'lxc']),
  name: z.string().optional(),
  from: z.string().min(1),
  to: z.string().min(1),
  /** live (a running VM), restart (a running container: shut down, moved, started), offline (stopped). */
  mode: z.enum(['live', 'restart', 'offline']),
  /** What the move carries in the method's unit: bytes of assigned memory, or busy cores. */
  weight: z.number(),
  /** One sentence: the two nodes' load before and after this move. */
  why: z.string(),
});
export type BalanceMove = z.infer<typeof balanceMoveSchema>;

export const nodeLoadSchema = z.object({
  node: z.string(),
  /** Load in % of the method's resource, before and after the whole plan. */
  before: z.number(),
  after: z.number(),
  /** Memory in % of the node's total after the plan, with incoming guests at their full assigned memory. */
  memoryAfter: z.number(),
});
export type NodeLoad = z.infer<typeof nodeLoadSchema>;

export const balancePlanSchema = z.object({
  settings: balanceSettingsSchema,
  /** What the planner concluded: moves to make, already balanced, or nothing that helps enough. */
  outcome: z.enum(['moves', 'balanced', 'no-benefit']),
  /** Busiest − idlest, in percentage points, among the nodes that take part. */
  spreadBefore: z.number(),
  spreadAfter: z.number(),
  moves: z.array(balanceMoveSchema),
  nodes: z.array(nodeLoadSchema),
  /** Guests that could not move, grouped by reason (`pinned by plb_pin_node01: web01 (qemu/101)`). */
  skipped: z.array(z.object({ reason: z.string(), guests: z.array(z.string()) })),
  /** Nodes that take no part (offline, in maintenance), with why. */
  excludedNodes: z.array(z.object({ node: z.string(), reason: z.string() })),
  /** sha256 of the method and the moves (guest, from, to, in order), first 12 hex digits. */
  hash: z.string(),
});
export type BalancePlan = z.infer<typeof balancePlanSchema>;
