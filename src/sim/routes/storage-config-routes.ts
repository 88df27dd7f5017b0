// POST /storage (pve-storage PVE/API2/Storage/Config.pm create): a new entry in storage.cfg. The
// simulator keeps what its storage model knows (type, content, shared, nodes); a new storage has
// 1 TiB (per node for a local one) and starts empty.
import type { SimStorage } from '../cluster/cluster-model.js';
import { GiB } from '../cluster/log-format.js';
import type { SimCluster } from '../cluster/sim-cluster.js';
import { PveHttpError } from '../pve-http-error.js';
import { splitList } from '../server/param-formats.js';
import type { RouteRegistry } from '../types.js';
import { optBool, optStr, str } from './request-params.js';

// A Proxmox Backup Server storage needs a server to talk to: only the default cluster's is modelled.
const MODELLED = ['dir', 'lvmthin', 'zfspool', 'rbd'] as const satisfies ReadonlyArray<SimStorage['type']>;
/** Each plugin's default `content` (the second element of its plugindata content). */
const DEFAULT_CONTENT: Record<(typeof MODELLED)[number], string> = {
  dir: 'images,rootdir',
  lvmthin: 'images,rootdir',
  zfspool: 'images,rootdir',
  rbd: 'images',
};

export function registerStorageConfigRoutes(registry: RouteRegistry, cluster: SimCluster): void {
  registry.on('POST', '/storage', (request) => {
    const type = str(request, 'type') as (typeof MODELLED)[number];
    const storage = str(request, 'storage');
    if (!(MODELLED as readonly string[]).includes(type))
      throw PveHttpError.die(`the simulator models only ${MODELLED.join(', ')} storages, not '${type}'`);
    // lock_storage_config(…, "create storage failed") prefixes the die inside it.
    if (cluster.storages.some((existing) => existing.storage === storage))
      throw PveHttpError.die(`create storage failed: storage ID '${storage}' already defined`);
    // An empty `nodes` is dropped: the storage is then enabled everywhere.
    const nodes = splitList(optStr(request, 'nodes') ?? '');
    const entry: SimStorage = {
      storage,
      type,
      content: optStr(request, 'content') ?? DEFAULT_CONTENT[type],
      // rbd is shared by nature; `shared` marks a dir (or others) as the same on every node.
      shared: type === 'rbd' || (optBool(request, 'shared') ?? false),
      total: 1024 * GiB,
      baseUsed: 0,
      ...(nodes.length > 0 ? { nodes } : {}),
    };
    cluster.storages.push(entry);
    return { storage, type };
  });
}
