import { z } from 'zod';
import { pveInt } from './pve-values.js';

/** GET /cluster/config/join: what a new node needs to join (corosync's nodelist; no secret). */
export const joinInfoSchema = z.looseObject({
  nodelist: z.array(
    z.looseObject({
      name: z.string(),
      nodeid: pveInt.optional(),
      pve_addr: z.string(),
      /** SHA-256 fingerprint of the node's API certificate. */
      pve_fp: z.string(),
      quorum_votes: pveInt.default(1),
      ring0_addr: z.string().optional(),
    }),
  ),
  preferred_node: z.string().optional(),
  config_digest: z.string().optional(),
  totem: z.looseObject({ cluster_name: z.string().optional() }).optional(),
});
export type JoinInfo = z.output<typeof joinInfoSchema>;
