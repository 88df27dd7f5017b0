// Every command line the simulated nodes' sshd runs: what a rolling upgrade needs, nothing else.
import type { SimCluster } from '../cluster/sim-cluster.js';
import type { CommandRegistry } from '../types.js';
import { registerAptCommands } from './apt-commands.js';
import { registerHaCommands } from './ha-commands.js';

export function registerClusterCommands(registry: CommandRegistry, cluster: SimCluster): void {
  registerAptCommands(registry, cluster);
  registerHaCommands(registry, cluster);
}
