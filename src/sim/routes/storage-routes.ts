// Storages per node: local ones hold that node's guests' disks, shared Ceph holds everybody's.
import type { SimCluster } from '../cluster/sim-cluster.js';
import { storageUsed } from '../cluster/storage-usage.js';
import type { RouteRegistry } from '../types.js';
import { optStr } from './request-params.js';

export interface StorageEntry {
  storage: string;
  type: string;
  content: string;
  shared: 0 | 1;
  total: number;
  used: number;
  avail: number;
}

export function storageEntries(cluster: SimCluster, node: string): StorageEntry[] {
  return cluster.storages.map((storage) => {
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
  });
}

export function registerStorageRoutes(registry: RouteRegistry, cluster: SimCluster): void {
  registry.on('GET', '/nodes/{node}/storage', (request) => {
    const only = optStr(request, 'storage');
    const content = optStr(request, 'content');
    return storageEntries(cluster, optStr(request, 'node') ?? request.servingNode)
      .filter((entry) => !only || entry.storage === only)
      .filter(
        (entry) => !content || content.split(',').some((wanted) => entry.content.split(',').includes(wanted)),
      )
      .map((entry) => ({
        ...entry,
        active: 1,
        enabled: 1,
        used_fraction: Number((entry.used / entry.total).toFixed(6)),
      }));
  });
}
