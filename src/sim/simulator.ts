// The simulator as the product starts it: the platform around the real cluster domain.

import { createCluster } from './cluster/create-cluster.js';
import { registerClusterCommands } from './commands/register-commands.js';
import { composeSimulator, type RunningSimulator, type SimulatorOptions } from './compose-simulator.js';
import { registerClusterRoutes } from './routes/register-routes.js';
import { type SeveralSimulatorsOptions, startSeveralSimulators } from './start-simulators.js';

export type { RunningSimulator, SimSshAccess, SimulatorOptions, SshEnvFiles } from './compose-simulator.js';
export { DEFAULT_TOKEN_ID } from './compose-simulator.js';
export type { SeveralSimulatorsOptions, SimClusterLayout } from './start-simulators.js';
export { MAX_SIM_CLUSTERS, simClusterLayouts } from './start-simulators.js';
export type { PveVersion } from './types.js';

export type SimCluster = ReturnType<typeof createCluster>;

/**
 * Starts the simulated cluster: one HTTPS API and one sshd (the commands of a rolling upgrade)
 * per node, on the node's own loopback address.
 */
export function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator<SimCluster>> {
  return composeSimulator(options, {
    createCluster,
    registerRoutes: registerClusterRoutes,
    registerCommands: registerClusterCommands,
  });
}

/**
 * Starts `clusters` simulated clusters (default 1, at most 2) that share nothing: MonCluster
 * (node01… on 127.20.1.101…) and SRV-Cluster (srv01… on 127.20.2.101…), each with its own
 * certificates, token secret, sshd (`sshPort`, `sshPort` + 1, or free ones for 0) and access
 * control. `nodes`, `guests`, `pveVersion` and the rest apply to each.
 */
export function startSimulators(
  options: SeveralSimulatorsOptions = {},
): Promise<RunningSimulator<SimCluster>[]> {
  return startSeveralSimulators(options, startSimulator);
}
