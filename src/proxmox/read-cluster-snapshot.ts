import { type ClusterState, getClusterResources, getClusterStatus } from './cluster-api.js';
import type { PveTransport } from './pve-transport.js';
import type { ClusterResource } from './schemas/cluster-schemas.js';

export interface ClusterSnapshot {
  /** Every node, guest, storage and pool, as `/cluster/resources` lists them. */
  resources: ClusterResource[];
  /** Cluster name, quorum and each member's online state, from `/cluster/status`. */
  status: ClusterState;
  /**
   * When both answers were in (epoch ms), so whoever shows the data can say how old it is. Every
   * read of this folder sets it; a snapshot built by hand (a test's fixed cluster) may not.
   */
  readAt?: number;
}

/** A snapshot as PVE answered it, with the moment it was read. */
export type TimedClusterSnapshot = ClusterSnapshot & { readAt: number };

/**
 * The whole cluster in two calls, whatever its size: `/cluster/resources` and `/cluster/status`
 * are served from pmxcfs on whichever node answers, so `/pve status` and name resolution never
 * fan out to every node (docs/architecture.md, "Performance targets": PVE calls for `/pve status`
 * constant in cluster size).
 */
export async function readClusterSnapshot(
  transport: PveTransport,
  signal?: AbortSignal,
): Promise<TimedClusterSnapshot> {
  const [resources, status] = await Promise.all([
    getClusterResources(transport, undefined, signal),
    getClusterStatus(transport, signal),
  ]);
  return { resources, status, readAt: Date.now() };
}
