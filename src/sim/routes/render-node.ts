// A node's live statistics: its own base load plus what its running guests use.
import type { SimNode } from '../cluster/cluster-model.js';
import { guestMetrics } from '../cluster/guest-metrics.js';
import { managerRepoid } from '../cluster/node-packages.js';
import type { SimCluster } from '../cluster/sim-cluster.js';

export interface NodeStats {
  cpu: number;
  maxcpu: number;
  mem: number;
  maxmem: number;
  disk: number;
  maxdisk: number;
  uptime: number;
}

export function nodeStats(cluster: SimCluster, node: SimNode): NodeStats {
  const now = cluster.now();
  let cpu = node.cpuBase;
  let mem = node.memBase;
  for (const guest of cluster.guestsOn(node.name)) {
    if (!guest.running) continue;
    const metrics = guestMetrics(guest, now);
    cpu += (metrics.cpu * guest.cores) / node.threads;
    // Guests' RAM is mostly touched once allocated: count most of it on the host.
    mem += guest.memoryMiB * 1024 ** 2 * 0.85;
  }
  return {
    cpu: Number(Math.min(1, cpu).toFixed(4)),
    maxcpu: node.threads,
    mem: Math.floor(Math.min(mem, node.memTotal)),
    maxmem: node.memTotal,
    disk: Math.floor(node.rootfsUsed),
    maxdisk: node.rootfsTotal,
    uptime: Math.max(0, Math.floor((now - node.bootedAt) / 1000)),
  };
}

/** `pve-manager/9.1.3/<repoid>` */
export function pveVersion(node: SimNode, repoid: string): string {
  return `pve-manager/${node.managerVersion}/${repoid}`;
}

/** `{version, release, repoid}` as /version and /nodes/{node}/version report the node's pve-manager. */
export function versionInfo(node: SimNode): { version: string; release: string; repoid: string } {
  const [major = '9', minor = '1'] = node.managerVersion.split('.');
  return {
    version: node.managerVersion,
    release: `${major}.${minor}`,
    repoid: managerRepoid(node.managerVersion),
  };
}
