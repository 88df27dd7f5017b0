import { z } from 'zod';
import { pveInt } from './pve-values.js';

/** GET /nodes/{node}/time: the node's own clock, in whole seconds. */
export const nodeTimeSchema = z.looseObject({
  /** Epoch seconds, UTC. */
  time: pveInt,
  /** Epoch seconds shifted by the node's time zone offset. */
  localtime: pveInt.optional(),
  timezone: z.string().optional(),
});
export type NodeTime = z.output<typeof nodeTimeSchema>;
