// /version and the cluster-wide reads: resources, status, nextid, tasks, join information.
import { createHash } from 'node:crypto';
import type { SimCluster } from '../cluster/sim-cluster.js';
import type { SimTask } from '../cluster/sim-task.js';
import { storageUsed } from '../cluster/storage-usage.js';
import { PveHttpError } from '../pve-http-error.js';
import type { RouteRegistry } from '../types.js';
import { resourceEntry } from './render-guest.js';
import { nodeStats, versionInfo } from './render-node.js';
import { optInt, optStr } from './request-params.js';
import { taskEntry } from './task-routes.js';

/**
 * How many tasks per node pmxcfs carries: every running one, then the newest finished ones up to
 * this total (pve-common PVE/RESTEnvironment.pm active_workers, $MAX_FINISHED).
 */
const MAX_FINISHED = 25;

/**
 * /cluster/tasks: the node lists pvestatd broadcasts, in node order, each running tasks first and
 * then its newest finished ones (pve-cluster PVE/Cluster.pm get_tasklist).
 */
function recentClusterTasks(cluster: SimCluster): SimTask[] {
  const recent: SimTask[] = [];
  for (const node of cluster.nodeNames()) {
    // onNode lists newest first.
    const tasks = cluster.tasks.onNode(node);
    const running = tasks.filter((task) => task.running);
    const finished = tasks.filter((task) => !task.running);
    recent.push(...running, ...finished.slice(0, Math.max(0, MAX_FINISHED - running.length)));
  }
  return recent;
}

/**
 * A task as the `active` file holds it (pve-common INotify.pm read_active_workers): `saved` and
 * `id` are regex captures, so strings; active_workers deletes `pstart`, and `pid` once finished.
 */
function clusterTaskEntry(task: SimTask): Record<string, unknown> {
  const { pid: _pid, pstart: _pstart, ...entry } = taskEntry(task);
  if (task.running) return { ...entry, pid: task.record.pid, saved: '0' };
  return { ...entry, id: String(entry.id ?? ''), saved: '1' };
}

/** Perl's `sort keys %$idlist`: vmids in string order (10000 before 200). */
function byVmidString<T extends { vmid: number }>(guests: Iterable<T>): T[] {
  return [...guests].sort((a, b) => (String(a.vmid) < String(b.vmid) ? -1 : 1));
}

/** Statistics a pool entry sums over its running guests (pve-manager PVE/API2/Cluster.pm resources). */
function addToPool(pool: Record<string, unknown>, guest: Record<string, unknown>): void {
  const uptime = Number(guest.uptime ?? 0);
  if (!uptime) return;
  const num = (value: unknown) => Number(value ?? 0);
  if (!pool.uptime || uptime > num(pool.uptime)) pool.uptime = uptime;
  pool.mem = num(pool.mem) + num(guest.mem);
  pool.maxmem = num(pool.maxmem) + num(guest.maxmem);
  const maxcpu = num(pool.maxcpu);
  pool.cpu = (num(pool.cpu) * maxcpu + num(guest.cpu) * num(guest.maxcpu)) / (maxcpu + num(guest.maxcpu));
  pool.maxcpu = maxcpu + num(guest.maxcpu);
}

export function registerClusterReadRoutes(registry: RouteRegistry, cluster: SimCluster): void {
  // The serving node's version; `console` only when datacenter.cfg sets one, which the
  // simulated datacenter.cfg does not (pve-manager PVE/API2.pm version).
  registry.on('GET', '/version', (request) => versionInfo(cluster.node(request.servingNode)));

  // pve-manager PVE/API2/Cluster.pm resources: pools, guests, nodes, storages, then sdn/network.
  registry.on('GET', '/cluster/resources', (request) => {
    const type = optStr(request, 'type');
    const out: unknown[] = [];
    const pools = new Map<string, Record<string, unknown>>();
    if (!type) {
      for (const pool of [...cluster.pools].sort()) {
        const entry: Record<string, unknown> = { id: `/pool/${pool}`, pool, type: 'pool' };
        pools.set(pool, entry);
        out.push(entry);
      }
    }
    if (!type || type === 'vm') {
      for (const guest of byVmidString(cluster.guests())) {
        const entry = resourceEntry(cluster, guest);
        const pool = guest.pool === undefined ? undefined : pools.get(guest.pool);
        if (pool) addToPool(pool, entry);
        out.push(entry);
      }
    }
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
    if (!type || type === 'storage') {
      for (const storage of [...cluster.storages].sort((a, b) => (a.storage < b.storage ? -1 : 1))) {
        for (const node of cluster.allNodes()) {
          // storage_check_enabled: a storage restricted to other nodes has no entry here.
          if (storage.nodes && !storage.nodes.includes(node.name)) continue;
          const used = storageUsed(cluster, storage, node.name);
          out.push({
            id: `storage/${node.name}/${storage.storage}`,
            type: 'storage',
            storage: storage.storage,
            node: node.name,
            plugintype: storage.type,
            status: node.online ? 'available' : 'unknown',
            shared: storage.shared ? 1 : 0,
            content: storage.content,
            disk: used,
            maxdisk: storage.total,
          });
        }
      }
    }
    // 8.x (pve-manager PVE/API2/Cluster.pm resources): the default "localnetwork" zone once per
    // cluster node as an `sdn` entry, also for `type=sdn`.
    if (cluster.release.localNetwork === 'sdn' && (!type || type === 'sdn')) {
      for (const node of cluster.allNodes()) {
        out.push({
          id: `sdn/${node.name}/localnetwork`,
          sdn: 'localnetwork',
          node: node.name,
          type: 'sdn',
          status: 'ok',
        });
      }
    }
    // 9.x nodes broadcast the "network" kv, so `type=sdn` finds no node still sending "sdn"; the
    // localnetwork zone comes once per cluster node as a `network` entry (`type=network` itself
    // is not in the parameter's enum, so only the unfiltered list has them).
    if (cluster.release.localNetwork === 'network' && !type) {
      for (const node of cluster.allNodes()) {
        out.push({
          id: `network/${node.name}/zone/localnetwork`,
          type: 'network',
          'network-type': 'zone',
          network: 'localnetwork',
          node: node.name,
          status: 'ok',
        });
      }
    }
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

  registry.on('GET', '/cluster/tasks', () => recentClusterTasks(cluster).map(clusterTaskEntry));

  registry.on('GET', '/cluster/config/join', (request) => {
    const preferred = optStr(request, 'node') ?? request.servingNode;
    if (!cluster.hasNode(preferred)) throw PveHttpError.die(`unknown node '${preferred}'`);
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
