// Every endpoint of the cluster domain, registered per schema template.
import type { SimCluster } from '../cluster/sim-cluster.js';
import type { RouteRegistry } from '../types.js';
import { registerAccessRoutes } from './access-routes.js';
import { registerAptRoutes } from './apt-routes.js';
import { registerBackupRoutes } from './backup-routes.js';
import { registerClusterReadRoutes } from './cluster-routes.js';
import { registerHaRoutes } from './ha-routes.js';
import { registerHaRuleRoutes } from './ha-rules-routes.js';
import { registerLxcRoutes } from './lxc-routes.js';
import { registerMigrateAllRoutes } from './migrateall-routes.js';
import { registerNodeRoutes } from './node-routes.js';
import { registerNotificationRoutes } from './notification-routes.js';
import { registerQemuRoutes } from './qemu-routes.js';
import { registerReplicationRoutes } from './replication-routes.js';
import { registerStorageRoutes } from './storage-routes.js';
import { registerTaskRoutes } from './task-routes.js';

/**
 * The registry as the cluster's release serves it: handlers for endpoints its API lacks (the 9.x
 * ones on 8.4, listed in pve-release.ts) are left out, so those paths answer 501 as PVE does.
 */
function releaseRoutes(registry: RouteRegistry, cluster: SimCluster): RouteRegistry {
  const missing = new Set(cluster.release.missingEndpoints);
  return {
    on: (method, template, handler) => {
      if (!missing.has(`${method} ${template}`)) registry.on(method, template, handler);
    },
  };
}

export function registerClusterRoutes(platform: RouteRegistry, cluster: SimCluster): void {
  const registry = releaseRoutes(platform, cluster);
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
  registerBackupRoutes(registry, cluster);
  registerNotificationRoutes(registry, cluster);
  registerAccessRoutes(registry, cluster);
}
