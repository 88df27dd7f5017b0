// POST /cluster/mapping/pci (pve-manager PVE/API2/Cluster/Mapping/PCI.pm create): a logical PCI
// device with one `map` entry per node device (`node=…,path=…,id=…`). Only what the migration
// precondition needs is kept: the nodes and `live-migration-capable`.
import { pciMappings } from '../cluster/pci-mappings.js';
import type { SimCluster } from '../cluster/sim-cluster.js';
import { PveHttpError } from '../pve-http-error.js';
import type { RouteRegistry } from '../types.js';
import { optBool, str } from './request-params.js';

export function registerMappingRoutes(registry: RouteRegistry, cluster: SimCluster): void {
  registry.on('POST', '/cluster/mapping/pci', (request) => {
    const id = str(request, 'id');
    const mappings = pciMappings(cluster);
    // Inside lock_pci_config(…, "create hardware mapping failed"): the lock prefixes the die.
    if (mappings.has(id))
      throw PveHttpError.die(`create hardware mapping failed: pci ID '${id}' already defined`);
    const raw = request.params.map;
    const entries = (Array.isArray(raw) ? raw : [raw]).map(String);
    const nodes = entries.map((entry) => /(?:^|,)node=([^,]+)/.exec(entry)?.[1] ?? '').filter(Boolean);
    mappings.set(id, {
      id,
      nodes: [...new Set(nodes)],
      liveMigration: optBool(request, 'live-migration-capable') ?? false,
    });
    return null;
  });
}
