// Every endpoint of the cluster domain, registered per schema template.
import type { SimCluster } from '../cluster/sim-cluster.js';
import type { RouteRegistry } from '../types.js';
import { registerAptRoutes } from './apt-routes.js';
import { registerClusterReadRoutes } from './cluster-routes.js';
import { registerHaRoutes } from './ha-routes.js';
import { registerHaRuleRoutes } from './ha-rules-routes.js';
import { registerLxcRoutes } from './lxc-routes.js';
import { registerMigrateAllRoutes } from './migrateall-routes.js';
import { registerNodeRoutes } from './node-routes.js';
import { registerQemuRoutes } from './qemu-routes.js';
import { registerReplicationRoutes } from './replication-routes.js';
import { registerStorageRoutes } from './storage-routes.js';
import { registerTaskRoutes } from './task-routes.js';

export function registerClusterRoutes(registry: RouteRegistry, cluster: SimCluster): void {
  registerClusterReadRoutes(registry, cluster);
  registerNodeRoutes(registry, cluster);
  registerStorageRoutes(registry, cluster);
  registerQemuRoutes(registry, cluster);
  registerLxcRoutes(registry, cluster);
  registerTaskRoutes(registry, cluster);
  registerAptRoutes(registry, cluster);
  registerHaRoutes(registry, cluster);
  registerHaRuleRoutes(registry, cluster);
  registerReplicationRoutes(registry, cluster);
  registerMigrateAllRoutes(registry, cluster);
}
