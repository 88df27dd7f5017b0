// The simulator as the product starts it: the platform around the real cluster domain.

import { createCluster } from './cluster/create-cluster.js';
import { registerClusterCommands } from './commands/register-commands.js';
import { composeSimulator, type RunningSimulator, type SimulatorOptions } from './compose-simulator.js';
import { registerClusterRoutes } from './routes/register-routes.js';

export type { RunningSimulator, SimSshAccess, SimulatorOptions, SshEnvFiles } from './compose-simulator.js';
export { DEFAULT_TOKEN_ID } from './compose-simulator.js';
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
