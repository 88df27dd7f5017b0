// Storages per node: local ones hold that node's guests' disks, shared Ceph holds everybody's.
import type { SimStorage } from '../cluster/cluster-model.js';
import type { SimCluster } from '../cluster/sim-cluster.js';
import { storageUsed } from '../cluster/storage-usage.js';
import { PveHttpError } from '../pve-http-error.js';
import type { RouteRegistry } from '../types.js';
import { optStr } from './request-params.js';
import { registerStorageConfigRoutes } from './storage-config-routes.js';

export interface StorageEntry {
  storage: string;
  type: string;
  content: string;
  shared: 0 | 1;
  total: number;
  used: number;
  avail: number;
}

/** storage.cfg `nodes`: a storage without it is enabled on every node. */
function enabledOn(storage: SimStorage, node: string): boolean {
  return !storage.nodes || storage.nodes.includes(node);
}

function entryOf(cluster: SimCluster, storage: SimStorage, node: string): StorageEntry {
  const used = storageUsed(cluster, storage, node);
  return {
    storage: storage.storage,
    type: storage.type,
    content: storage.content,
    shared: storage.shared ? 1 : 0,
    total: storage.total,
    used,
    avail: storage.total - used,
  };
}

export function registerStorageRoutes(registry: RouteRegistry, cluster: SimCluster): void {
  registerStorageConfigRoutes(registry, cluster);
  // pve-storage PVE/API2/Storage/Status.pm index over PVE::Storage::storage_info: every configured
  // storage, one restricted to other nodes listed disabled with zero sizes (and dropped when a
  // content filter is given); used_fraction only when the total is known.
  registry.on('GET', '/nodes/{node}/storage', (request) => {
    const node = optStr(request, 'node') ?? request.servingNode;
    const only = optStr(request, 'storage');
    const content = optStr(request, 'content')?.split(',').filter(Boolean);
    const listed = [...cluster.storages]
      .sort((a, b) => (a.storage < b.storage ? -1 : 1))
      .filter((storage) => {
        if (!content) return true;
        const wanted = content.some((type) => storage.content.split(',').includes(type));
        return wanted && enabledOn(storage, node);
      });
    if (only && !listed.some((storage) => storage.storage === only))
      throw PveHttpError.parameters({ storage: 'No such storage.' });
    return listed
      .filter((storage) => !only || storage.storage === only)
      .map((storage) => {
        if (!enabledOn(storage, node)) {
          return {
            storage: storage.storage,
            type: storage.type,
            content: storage.content,
            shared: storage.shared ? 1 : 0,
            total: 0,
            used: 0,
            avail: 0,
            active: 0,
            enabled: 0,
          };
        }
        const entry = entryOf(cluster, storage, node);
        return { ...entry, active: 1, enabled: 1, used_fraction: entry.used / entry.total };
      });
  });
}
