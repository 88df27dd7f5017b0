import { z } from 'zod';
import { pveBool, pveInt, pveNumber } from './pve-values.js';

/** GET /cluster/replication: one configured job (`<vmid>-<jobnum>`, pve-guest-common PVE/ReplicationConfig.pm); fixture replication/jobs.9.json. */
export const replicationJobSchema = z.looseObject({
  id: z.string(),
  type: z.string().optional(),
  guest: pveInt,
  jobnum: pveInt.optional(),
  target: z.string(),
  /** A systemd-like calendar event; PVE's default is `*\/15` when absent. */
  schedule: z.string().optional(),
  rate: pveNumber.optional(),
  comment: z.string().optional(),
  disable: pveBool.optional(),
  remove_job: z.string().optional(),
  source: z.string().optional(),
});
export type ReplicationJob = z.output<typeof replicationJobSchema>;
export const replicationJobsSchema = z.array(replicationJobSchema);

/**
 * GET /nodes/{node}/replication: the state of each job whose guest lives on that node. The schema
 * only documents `id`; the fields are those of Replication.pm `$extract_job_status`.
 */
export const replicationStatusSchema = replicationJobSchema.extend({
  vmtype: z.string().optional(),
  /** Epoch seconds of the next planned run (sooner after a failure: pvesr backs off). */
  next_sync: pveInt.optional(),
  /** Epoch seconds of the last successful run; 0 or absent before the first one. */
  last_sync: pveInt.optional(),
  last_try: pveInt.optional(),
  fail_count: pveInt.optional(),
  /** The last run's error, set while fail_count > 0. */
  error: z.string().optional(),
  duration: pveNumber.optional(),
  /** Present while a run is in progress. */
  pid: pveInt.optional(),
});
export type ReplicationStatus = z.output<typeof replicationStatusSchema>;
export const replicationStatusesSchema = z.array(replicationStatusSchema);
