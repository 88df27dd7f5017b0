import { z } from 'zod';
import { pveInt, pveString } from './pve-values.js';

export const taskStatusSchema = z.looseObject({
  upid: z.string().optional(),
  node: z.string().optional(),
  type: z.string().optional(),
  id: pveString.optional(),
  user: z.string().optional(),
  status: z.string(),
  /** Only set once `status` is `stopped`: `OK`, `WARNINGS: n`, or the error text. */
  exitstatus: z.string().optional(),
});
export type TaskStatus = z.output<typeof taskStatusSchema>;

/** `n` is the 1-based line number, so `start=N` returns lines from n = N+1. */
export const taskLogSchema = z.array(z.looseObject({ n: pveInt, t: pveString }));
export type TaskLogLine = z.output<typeof taskLogSchema>[number];
