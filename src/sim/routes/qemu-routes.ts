// QEMU-only endpoints: create, config, clone, migrate.
import { requestClone } from '../cluster/guest-clone.js';
import { requestCreate } from '../cluster/guest-create.js';
import { migratePrecondition } from '../cluster/migrate-precondition.js';
import { requestQemuMigration } from '../cluster/qemu-migrate.js';
import type { SimCluster } from '../cluster/sim-cluster.js';
import type { RouteRegistry } from '../types.js';
import { qemuConfig, updateConfig } from './guest-config.js';
import { registerGuestRoutes } from './guest-routes.js';
import { registerMappingRoutes } from './mapping-routes.js';
import { bool, int, optBool, optInt, optMemoryMiB, optStr, str } from './request-params.js';
import { registerSnapshotRoutes } from './snapshot-routes.js';

export function registerQemuRoutes(registry: RouteRegistry, cluster: SimCluster): void {
  registerGuestRoutes(registry, cluster, 'qemu');
  registerSnapshotRoutes(registry, cluster, 'qemu');
  // PCI mappings exist for QEMU passthrough only (hostpciN: mapping=…).
  registerMappingRoutes(registry, cluster);
  const guestOf = (node: string, vmid: number) => cluster.guestOn(node, vmid, 'qemu');

  registry.on('POST', '/nodes/{node}/qemu', (request) =>
    requestCreate(cluster, {
      node: str(request, 'node'),
      vmid: int(request, 'vmid'),
      user: request.user,
      name: optStr(request, 'name'),
      // qemu-server's defaults: memory 512 (MiB), cores 1.
      memoryMiB: optMemoryMiB(request) ?? 512,
      cores: optInt(request, 'cores') ?? 1,
      ostype: optStr(request, 'ostype'),
      scsi0: optStr(request, 'scsi0'),
      start: optBool(request, 'start') ?? false,
      pool: optStr(request, 'pool'),
    }),
  );

  registry.on('GET', '/nodes/{node}/qemu/{vmid}/config', (request) => {
    const guest = guestOf(str(request, 'node'), int(request, 'vmid'));
    // Without `current`, the pending values (a running VM's cold changes) replace the current ones.
    return optBool(request, 'current') ? qemuConfig(guest) : { ...qemuConfig(guest), ...guest.pending };
  });
  registry.on('PUT', '/nodes/{node}/qemu/{vmid}/config', (request) => {
    updateConfig(cluster, guestOf(str(request, 'node'), int(request, 'vmid')), request);
    return null;
  });

  registry.on('POST', '/nodes/{node}/qemu/{vmid}/clone', (request) =>
    requestClone(cluster, 'qemu', {
      node: str(request, 'node'),
      vmid: int(request, 'vmid'),
      newid: int(request, 'newid'),
      user: request.user,
      name: optStr(request, 'name'),
      full: optBool(request, 'full'),
      target: optStr(request, 'target'),
      pool: optStr(request, 'pool'),
      storage: optStr(request, 'storage'),
      description: optStr(request, 'description'),
    }),
  );

  registry.on('GET', '/nodes/{node}/qemu/{vmid}/migrate', (request) =>
    migratePrecondition(cluster, 'qemu', str(request, 'node'), int(request, 'vmid')),
  );
  registry.on('POST', '/nodes/{node}/qemu/{vmid}/migrate', (request) =>
    requestQemuMigration(cluster, {
      node: str(request, 'node'),
      vmid: int(request, 'vmid'),
      target: str(request, 'target'),
      user: request.user,
      online: bool(request, 'online'),
      withLocalDisks: bool(request, 'with-local-disks'),
      force: bool(request, 'force'),
    }),
  );
}
