// Storage replication (API-NOTES §4.7): the configured jobs come from one cluster-wide read, their
// state only from the node their guest lives on (the call is proxied there).
import { pvePath } from './pve-path.js';
import type { PveTransport } from './pve-transport.js';
import {
  type ReplicationJob,
  type ReplicationStatus,
  replicationJobsSchema,
  replicationStatusesSchema,
} from './schemas/replication-schemas.js';

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
