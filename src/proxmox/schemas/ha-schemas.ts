import { z } from 'zod';
import { pveBool, pveInt } from './pve-values.js';

/**
 * One entry of GET /cluster/ha/status/current (API-NOTES §4.6): the `quorum` entry, the CRM
 * `master`, 9.1's `fencing`, one `lrm` per node and one `service` per HA resource. Which fields
 * are set depends on `type`; the rest is passed through.
 */
export const haStatusEntrySchema = z.looseObject({
  id: z.string(),
  type: z.string(),
  node: z.string().optional(),
  /** `pve1 (active, Mon Jul 15 …)` for master and lrm, `vm:100 (pve1, started)` for a service. */
  status: z.string().optional(),
  quorate: pveBool.optional(),
  timestamp: pveInt.optional(),
  sid: z.string().optional(),
  /** The verbose service state: `started`, `error`, `fence`, `migrate`, … */
  state: z.string().optional(),
  crm_state: z.string().optional(),
  request_state: z.string().optional(),
  'armed-state': z.string().optional(),
});
export type HaStatusEntry = z.output<typeof haStatusEntrySchema>;
export const haStatusSchema = z.array(haStatusEntrySchema);

/** One entry of GET /cluster/ha/resources (API-NOTES §4.6): an HA-managed guest and its requested state. */
export const haResourceSchema = z.looseObject({
  sid: z.string(),
  type: z.string().optional(),
  /** The requested state: `started`, `stopped`, `disabled`, `ignored`. */
  state: z.string().optional(),
  group: z.string().optional(),
  max_restart: pveInt.optional(),
  max_relocate: pveInt.optional(),
  comment: z.string().optional(),
});
export type HaResourceEntry = z.output<typeof haResourceSchema>;
export const haResourcesSchema = z.array(haResourceSchema);
