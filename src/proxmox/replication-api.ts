// Storage replication (pve-manager PVE/API2/ReplicationConfig.pm, PVE/API2/Replication.pm): the configured jobs come from one cluster-wide read, their
// state only from the node their guest lives on (the call is proxied there).
import { pvePath } from './pve-path.js';
import type { PveTransport } from './pve-transport.js';
import { nullSchema } from './schemas/guest-schemas.js';
import {
  type ReplicationJob,
  type ReplicationStatus,
  replicationJobsSchema,
  replicationStatusesSchema,
} from './schemas/replication-schemas.js';
import { taskLogSchema } from './schemas/task-schemas.js';

export function listReplicationJobs(
  transport: PveTransport,
  signal?: AbortSignal,
): Promise<ReplicationJob[]> {
  return transport.request('GET', '/cluster/replication', { schema: replicationJobsSchema, signal });
}

/** The state of every job whose guest currently lives on `node`. */
export function listNodeReplicationStatus(
  transport: PveTransport,
  node: string,
  signal?: AbortSignal,
): Promise<ReplicationStatus[]> {
  return transport.request('GET', pvePath`/nodes/${node}/replication`, {
    schema: replicationStatusesSchema,
    signal,
  });
}

export interface NewReplicationJob {
  /** `<vmid>-<jobnum>`. */
  id: string;
  target: string;
  /** A calendar event; PVE's default `*\/15` when absent. */
  schedule?: string;
}

/**
 * POST /cluster/replication: configures a local (ZFS) replication job. PVE refuses with its own
 * words what cannot replicate (same node, duplicate target, a volume without the replicate feature).
 */
export async function createReplicationJob(
  transport: PveTransport,
  job: NewReplicationJob,
  signal?: AbortSignal,
): Promise<void> {
  await transport.request('POST', '/cluster/replication', {
    params: {
      id: job.id,
      type: 'local',
      target: job.target,
      ...(job.schedule === undefined ? {} : { schedule: job.schedule }),
    },
    schema: nullSchema,
    signal,
  });
}

/**
 * POST …/schedule_now on the node where the job's guest lives: PVE answers "" and only marks the
 * job due (last_try 0); pvescheduler starts the run within a minute. On another node it changes
 * nothing and answers the same.
 */
export async function scheduleReplicationNow(
  transport: PveTransport,
  node: string,
  id: string,
  signal?: AbortSignal,
): Promise<void> {
  await transport.request('POST', pvePath`/nodes/${node}/replication/${id}/schedule_now`, {
    schema: nullSchema,
    signal,
  });
}

/** GET …/log: the last run's log lines (`n`, `t`), from the node where the job's guest lives. */
export function readReplicationLog(
  transport: PveTransport,
  node: string,
  id: string,
  options: { start?: number; limit?: number } = {},
  signal?: AbortSignal,
): Promise<Array<{ n: number; t: string }>> {
  return transport.request('GET', pvePath`/nodes/${node}/replication/${id}/log`, {
    params: {
      ...(options.start === undefined ? {} : { start: options.start }),
      ...(options.limit === undefined ? {} : { limit: options.limit }),
    },
    schema: taskLogSchema,
    signal,
  });
}
