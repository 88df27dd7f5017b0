// The simulator platform's entry point into the domain.
import type { PveVersion } from '../types.js';
import { buildDefaultCluster } from './default-cluster.js';
import { pveRelease, seedForRelease } from './pve-release.js';
import { buildScaledCluster } from './scaled-cluster.js';
import { SimCluster } from './sim-cluster.js';

export interface CreateClusterOptions {
  /** Number of nodes; 3 (the default) builds the guides' cluster, more builds a scaled one. */
  nodes?: number;
  /** Guests of a scaled cluster (default 10 per node). Ignored for the default cluster. */
  guests?: number;
  /** How many times faster than real time simulated durations elapse (default 1). */
  speed?: number;
  /** The PVE release it answers as (default 9.1); see pve-release.ts. */
  pveVersion?: PveVersion;
  /** Wall clock for timestamps (UPIDs, logs, uptime), epoch milliseconds. */
  now?: () => number;
}

export function createCluster(options: CreateClusterOptions = {}): SimCluster {
  const nodes = options.nodes ?? 3;
  if (!Number.isInteger(nodes) || nodes < 1)
    throw new RangeError(`nodes must be a positive integer, got ${nodes}`);
  const now = options.now ?? Date.now;
  const seed =
    nodes === 3 && options.guests === undefined
      ? buildDefaultCluster(now())
      : buildScaledCluster(nodes, options.guests ?? nodes * 10, now());
  const release = pveRelease(options.pveVersion);
  return new SimCluster(seedForRelease(seed, release), { speed: options.speed ?? 1, now, release });
}
