// The simulator platform's entry point into the domain.
import type { PveVersion } from '../types.js';
import { buildDefaultCluster } from './default-cluster.js';
import { DEFAULT_NODE_NAMING, type NodeNaming, nodeAddressBlocks } from './make-node.js';
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
  /** The PVE cluster name (default MonCluster). */
  name?: string;
  /** The node names' prefix (default `node`: node01, node02, …). */
  nodePrefix?: string;
  /** The third octet of the first node's address, 127.20.<addressBlock>.101 (default 1). */
  addressBlock?: number;
}

// pvecm create's cluster name and a node name's start (PVE's `pve-node` format, 15 characters).
const CLUSTER_NAME = /^[A-Za-z0-9]([A-Za-z0-9-]{0,13}[A-Za-z0-9])?$/;
const NODE_PREFIX = /^[a-z][a-z0-9-]{0,11}$/;

export function createCluster(options: CreateClusterOptions = {}): SimCluster {
  const nodes = options.nodes ?? 3;
  if (!Number.isInteger(nodes) || nodes < 1)
    throw new RangeError(`nodes must be a positive integer, got ${nodes}`);
  if (options.name !== undefined && !CLUSTER_NAME.test(options.name))
    throw new RangeError(`cluster name must be 1 to 15 letters, digits and '-', got '${options.name}'`);
  if (options.nodePrefix !== undefined && !NODE_PREFIX.test(options.nodePrefix))
    throw new RangeError(
      `nodePrefix must be 1 to 12 lower-case letters, digits and '-', starting with a letter, got '${options.nodePrefix}'`,
    );
  const block = options.addressBlock ?? DEFAULT_NODE_NAMING.block;
  const lastBlock = block + nodeAddressBlocks(nodes) - 1;
  if (!Number.isInteger(block) || block < 1 || lastBlock > 255)
    throw new RangeError(
      `addressBlock must be a whole number from 1 leaving room for ${nodes} nodes up to 127.20.255.x, got ${block}`,
    );
  const now = options.now ?? Date.now;
  const name = options.name ?? 'MonCluster';
  const naming: NodeNaming = {
    prefix: options.nodePrefix ?? DEFAULT_NODE_NAMING.prefix,
    block,
  };
  const seed =
    nodes === 3 && options.guests === undefined
      ? buildDefaultCluster(now(), name, naming)
      : buildScaledCluster(nodes, options.guests ?? nodes * 10, now(), name, naming);
  const release = pveRelease(options.pveVersion);
  return new SimCluster(seedForRelease(seed, release), { speed: options.speed ?? 1, now, release });
}
