// Several simulated clusters in one process (`pve-chatops sim --clusters 2`): MonCluster
// (node01… on 127.20.1.101…) and SRV-Cluster (srv01… on the next free 127.20.x block, 127.20.2.101…
// for up to 154 nodes). Each is a simulator of its own: its own nodes, guests, certificates and CA,
// token secret, sshd and access control; a migration in one never touches the other.

import { nodeAddressBlocks } from './cluster/make-node.js';
import type { RunningSimulator, SimClusterHandle, SimulatorOptions } from './compose-simulator.js';

/** The most simulated clusters one process runs. */
export const MAX_SIM_CLUSTERS = 2;

/** What tells the simulated clusters apart: their name, node names and addresses. */
export interface SimClusterLayout {
  clusterName: string;
  nodePrefix: string;
  /** The first node's address is 127.20.<addressBlock>.101. */
  addressBlock: number;
}

const NAMES = [
  { clusterName: 'MonCluster', nodePrefix: 'node' },
  { clusterName: 'SRV-Cluster', nodePrefix: 'srv' },
] as const;

/** The layouts of `count` clusters of `nodes` nodes each, the first one as a single simulator has it. */
export function simClusterLayouts(count: number, nodes: number): SimClusterLayout[] {
  if (!Number.isInteger(count) || count < 1 || count > MAX_SIM_CLUSTERS)
    throw new RangeError(`clusters must be a whole number from 1 to ${MAX_SIM_CLUSTERS}, got ${count}`);
  const blocks = nodeAddressBlocks(nodes);
  return NAMES.slice(0, count).map((names, index) => ({ ...names, addressBlock: 1 + index * blocks }));
}

/**
 * The SSH port of the `index`th cluster: the one asked for on the first, the next ones on the
 * others, or 0 (a free one) on all.
 */
export function simClusterSshPort(sshPort: number, index: number): number {
  return sshPort === 0 ? 0 : sshPort + index;
}

export interface SeveralSimulatorsOptions
  extends Omit<
    SimulatorOptions,
    'clusterName' | 'nodePrefix' | 'addressBlock' | 'tokenSecret' | 'rootPassword'
  > {
  /** How many clusters (default 1; at most MAX_SIM_CLUSTERS). */
  clusters?: number;
}

/**
 * Starts `clusters` simulators one after the other with `start`, each with its own layout and
 * SSH port (`sshPort` + its index, 0 stays 0). Every start makes its own token secret, root
 * password, certificates and SSH keys. If one fails, those already running are stopped.
 */
export async function startSeveralSimulators<C extends SimClusterHandle>(
  options: SeveralSimulatorsOptions,
  start: (options: SimulatorOptions) => Promise<RunningSimulator<C>>,
): Promise<RunningSimulator<C>[]> {
  const { clusters = 1, ...common } = options;
  const sshPort = common.sshPort ?? 0;
  const layouts = simClusterLayouts(clusters, common.nodes ?? 3);
  if (sshPort !== 0 && sshPort + layouts.length - 1 > 65535)
    throw new RangeError(`sshPort must leave room for ${layouts.length} ports up to 65535, got ${sshPort}`);
  const running: RunningSimulator<C>[] = [];
  try {
    for (const [index, layout] of layouts.entries()) {
      // One cluster is started exactly as startSimulator alone starts it.
      const own: SimulatorOptions =
        layouts.length === 1
          ? { ...common }
          : { ...common, ...layout, sshPort: simClusterSshPort(sshPort, index) };
      running.push(await start(own));
    }
  } catch (error) {
    await Promise.all(running.map((sim) => sim.stop()));
    throw error;
  }
  return running;
}
