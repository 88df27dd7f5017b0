// LXC-only endpoints: config, clone (`hostname`, not `name`), migrate (restart mode).
import { requestClone } from '../cluster/guest-clone.js';
import { requestLxcMigration } from '../cluster/lxc-migrate.js';
import { migratePrecondition } from '../cluster/migrate-precondition.js';
import type { SimCluster } from '../cluster/sim-cluster.js';
import type { RouteRegistry } from '../types.js';
import { lxcConfig, updateConfig } from './guest-config.js';
import { registerGuestRoutes } from './guest-routes.js';
import { bool, int, optBool, optInt, optStr, str } from './request-params.js';
import { registerSnapshotRoutes } from './snapshot-routes.js';

export function registerLxcRoutes(registry: RouteRegistry, cluster: SimCluster): void {
  registerGuestRoutes(registry, cluster, 'lxc');
  registerSnapshotRoutes(registry, cluster, 'lxc');
  const guestOf = (node: string, vmid: number) => cluster.guestOn(node, vmid, 'lxc');

  registry.on('GET', '/nodes/{node}/lxc/{vmid}/config', (request) =>
    lxcConfig(guestOf(str(request, 'node'), int(request, 'vmid'))),
  );
  registry.on('PUT', '/nodes/{node}/lxc/{vmid}/config', (request) => {
    updateConfig(cluster, guestOf(str(request, 'node'), int(request, 'vmid')), request);
    return null;
  });

  registry.on('POST', '/nodes/{node}/lxc/{vmid}/clone', (request) =>
    requestClone(cluster, 'lxc', {
      node: str(request, 'node'),
      vmid: int(request, 'vmid'),
      newid: int(request, 'newid'),
      user: request.user,
      name: optStr(request, 'hostname'),
      full: optBool(request, 'full'),
      target: optStr(request, 'target'),
      pool: optStr(request, 'pool'),
      storage: optStr(request, 'storage'),
      description: optStr(request, 'description'),
    }),
  );

  registry.on('GET', '/nodes/{node}/lxc/{vmid}/migrate', (request) =>
    migratePrecondition(cluster, 'lxc', str(request, 'node'), int(request, 'vmid')),
  );
  registry.on('POST', '/nodes/{node}/lxc/{vmid}/migrate', (request) =>
    requestLxcMigration(cluster, {
      node: str(request, 'node'),
      vmid: int(request, 'vmid'),
      target: str(request, 'target'),
      user: request.user,
      online: bool(request, 'online'),
      restart: bool(request, 'restart'),
      timeout: optInt(request, 'timeout'),
    }),
  );
}
