// Guests as /cluster/resources, /nodes/{node}/qemu|lxc and …/status/current show them.
import type { SimGuest } from '../cluster/cluster-model.js';
import { haSid } from '../cluster/cluster-seed.js';
import { guestMetrics } from '../cluster/guest-metrics.js';
import type { SimCluster } from '../cluster/sim-cluster.js';

/** `type=vm` entries of /cluster/resources; a guest on a dead node is `unknown`. */
export function resourceEntry(cluster: SimCluster, guest: SimGuest): Record<string, unknown> {
  const m = guestMetrics(guest, cluster.now());
  const nodeUp = cluster.isNodeOnline(guest.node);
  const entry: Record<string, unknown> = {
    id: `${guest.type}/${guest.vmid}`,
    type: guest.type,
    vmid: guest.vmid,
    node: guest.node,
    name: guest.name,
    status: nodeUp ? (guest.running ? 'running' : 'stopped') : 'unknown',
    template: guest.template ? 1 : 0,
    maxcpu: guest.cores,
    ...m,
  };
  // The pve-vm-9.0 RRD row's memhost: the QEMU process's memory on the host; 0 for containers.
  entry.memhost = guest.type === 'qemu' ? m.mem : 0;
  optional(cluster, guest, entry);
  return entry;
}

/** GET /nodes/{node}/qemu and /lxc list entries. */
export function listEntry(cluster: SimCluster, guest: SimGuest): Record<string, unknown> {
  const m = guestMetrics(guest, cluster.now());
  const entry: Record<string, unknown> = {
    vmid: guest.vmid,
    name: guest.name,
    status: guest.running ? 'running' : 'stopped',
    cpus: guest.cores,
    ...m,
  };
  if (guest.type === 'lxc') {
    entry.type = 'lxc';
    entry.maxswap = 512 * 1024 ** 2;
  } else if (guest.running) {
    entry.pid = 10_000 + guest.vmid;
    entry.qmpstatus = 'running';
  }
  if (guest.template) entry.template = 1;
  if (guest.lock) entry.lock = guest.lock;
  if (guest.tags) entry.tags = guest.tags;
  return entry;
}

/** …/status/current: the list entry plus `ha` (managed, state) and QEMU's runtime details. */
export function currentStatus(cluster: SimCluster, guest: SimGuest): Record<string, unknown> {
  const entry = listEntry(cluster, guest);
  const service = cluster.ha.isManaged(guest)
    ? cluster.ha.serviceState(haSid(guest.type, guest.vmid))
    : undefined;
  entry.ha = service ? { managed: 1, state: service.state } : { managed: 0 };
  if (guest.type === 'qemu') {
    entry.qmpstatus = guest.running ? 'running' : 'stopped';
    entry.agent = 1;
    if (guest.running) {
      entry['running-machine'] = 'pc-i440fx-10.1+pve0';
      entry['running-qemu'] = '10.1.2';
    }
  }
  return entry;
}

function optional(cluster: SimCluster, guest: SimGuest, entry: Record<string, unknown>): void {
  if (guest.lock) entry.lock = guest.lock;
  if (guest.tags) entry.tags = guest.tags;
  if (guest.pool) entry.pool = guest.pool;
  // Every configured HA resource, ignored ones included, although those are not HA-managed.
  const hastate = cluster.ha.verboseState(guest);
  if (hastate) entry.hastate = hastate;
}
