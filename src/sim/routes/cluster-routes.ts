// /version and the cluster-wide reads: resources, status, nextid, tasks, join information.
import { createHash } from 'node:crypto';
import type { SimCluster } from '../cluster/sim-cluster.js';
import type { SimTask } from '../cluster/sim-task.js';
import { PveHttpError } from '../pve-http-error.js';
import type { RouteRegistry } from '../types.js';
import { resourceEntry } from './render-guest.js';
import { nodeStats, versionInfo } from './render-node.js';
import { optInt, optStr } from './request-params.js';
import { storageEntries } from './storage-routes.js';
import { taskEntry } from './task-routes.js';

/** How many finished tasks per node pmxcfs keeps in its short recent-tasks list. */
const RECENT_FINISHED_PER_NODE = 50;

/** /cluster/tasks: every running task plus each node's newest finished ones, newest first. */
function recentClusterTasks(cluster: SimCluster): SimTask[] {
  const recent: SimTask[] = [];
  for (const node of cluster.nodeNames()) {
    let finished = 0;
    // onNode lists newest first.
    for (const task of cluster.tasks.onNode(node)) {
      if (task.running) recent.push(task);
      else if (finished < RECENT_FINISHED_PER_NODE) {
        recent.push(task);
        finished += 1;
      }
    }
  }
  return recent.sort((a, b) => b.record.starttime - a.record.starttime);
}

export function registerClusterReadRoutes(registry: RouteRegistry, cluster: SimCluster): void {
  // The serving node's version, plus the datacenter's console setting.
  registry.on('GET', '/version', (request) => ({
    ...versionInfo(cluster.node(request.servingNode)),
    console: 'xtermjs',
  }));

  registry.on('GET', '/cluster/resources', (request) => {
    const type = optStr(request, 'type');
    const out: unknown[] = [];
    if (!type || type === 'node') {
      for (const node of cluster.allNodes()) {
        const entry: Record<string, unknown> = {
          id: `node/${node.name}`,
          type: 'node',
          node: node.name,
          status: node.online ? 'online' : 'offline',
          level: '',
          'cgroup-mode': 2,
        };
        if (node.online) Object.assign(entry, nodeStats(cluster, node));
        const hastate = cluster.ha.nodeStatus.get(node.name);
        if (cluster.ha.services.size > 0 && hastate) entry.hastate = hastate;
        out.push(entry);
      }
    }
    if (!type || type === 'vm') for (const guest of cluster.guests()) out.push(resourceEntry(cluster, guest));
    if (!type || type === 'storage') {
      for (const node of cluster.allNodes()) {
        for (const storage of storageEntries(cluster, node.name)) {
          out.push({
            id: `storage/${node.name}/${storage.storage}`,
            type: 'storage',
            storage: storage.storage,
            node: node.name,
            plugintype: storage.type,
            status: node.online ? 'available' : 'unknown',
            shared: storage.shared,
            content: storage.content,
            disk: storage.used,
            maxdisk: storage.total,
          });
        }
      }
    }
    if (!type) for (const pool of cluster.pools) out.push({ id: `/pool/${pool}`, type: 'pool', pool });
    return out;
  });

  registry.on('GET', '/cluster/status', (request) => {
    const nodes = cluster.allNodes();
    return [
      {
        type: 'cluster',
        id: 'cluster',
        name: cluster.name,
        nodes: nodes.length,
        version: nodes.length + 2,
        quorate: cluster.isQuorate() ? 1 : 0,
      },
      ...nodes.map((node) => ({
        type: 'node',
        id: `node/${node.name}`,
        name: node.name,
        nodeid: node.nodeid,
        ip: node.address,
        local: node.name === request.servingNode ? 1 : 0,
        online: node.online ? 1 : 0,
        level: '',
      })),
    ];
  });

  registry.on('GET', '/cluster/nextid', (request) => {
    const wanted = optInt(request, 'vmid');
    if (wanted !== undefined) {
      if (cluster.guest(wanted)) throw PveHttpError.parameters({ vmid: `VM ${wanted} already exists` });
      return String(wanted);
    }
    // The loop variable is used as a hash key, so JSON::XS encodes it as a string.
    for (let vmid = 100; vmid < 1_000_000; vmid += 1) if (!cluster.guest(vmid)) return String(vmid);
    throw PveHttpError.die('unable to get any free VMID in range [100, 999999]');
  });

  registry.on('GET', '/cluster/tasks', () => recentClusterTasks(cluster).map((task) => taskEntry(task)));

  registry.on('GET', '/cluster/config/join', (request) => {
    const preferred = optStr(request, 'node') ?? request.servingNode;
    if (!cluster.hasNode(preferred)) throw PveHttpError.die(`no such cluster node '${preferred}'`);
    const nodelist = cluster.allNodes().map((node) => ({
      name: node.name,
      nodeid: String(node.nodeid),
      pve_addr: node.address,
      pve_fp: node.fingerprint,
      quorum_votes: '1',
      ring0_addr: node.address,
    }));
    const totem = {
      cluster_name: cluster.name,
      config_version: String(nodelist.length + 2),
      interface: { '0': { linknumber: '0' } },
      ip_version: 'ipv4-6',
      link_mode: 'passive',
      secauth: 'on',
      version: '2',
    };
    const digest = createHash('sha1').update(JSON.stringify({ nodelist, totem })).digest('hex');
    return { nodelist, preferred_node: preferred, totem, config_digest: digest };
  });
}
