// /etc/pve/mapping/pci.cfg (PVE::Mapping::PCI): logical PCI devices, each with the nodes that
// have a matching device. qemu-server's check_local_resources reads it to tell on which nodes a
// VM with `hostpciN: mapping=<id>` could run.
import type { PciMapping } from './cluster-model.js';
import type { SimCluster } from './sim-cluster.js';

const configs = new WeakMap<SimCluster, Map<string, PciMapping>>();

export function pciMappings(cluster: SimCluster): Map<string, PciMapping> {
  let mappings = configs.get(cluster);
  if (!mappings) {
    mappings = new Map();
    configs.set(cluster, mappings);
  }
  return mappings;
}
