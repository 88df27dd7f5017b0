// Turns one cluster snapshot into what `/pve status` shows: plain data the adapters render.
import type { ClusterSnapshot } from '../../proxmox/read-cluster-snapshot.js';
import type { GuestResource, NodeResource } from '../../proxmox/schemas/cluster-schemas.js';

export interface NodeSummary {
  name: string;
  online: boolean;
  /** CPU use, 0..1. */
  cpu?: number;
  memUsed?: number;
  memTotal?: number;
  uptime?: number;
  guestsRunning: number;
  guestsTotal: number;
  /** HA node state: `online`, `maintenance`, `fence`, … */
  hastate?: string;
}

export interface GuestSummary {
  vmid: number;
  name?: string;
  type: 'qemu' | 'lxc';
  node: string;
  status: string;
  template: boolean;
  lock?: string;
  hastate?: string;
  cpu?: number;
  memUsed?: number;
  memTotal?: number;
  uptime?: number;
}

export interface ClusterSummary extends Record<string, unknown> {
  headline: string;
  clusterName?: string;
  quorate: boolean;
  nodes: NodeSummary[];
  guests: { total: number; running: number; stopped: number; templates: number };
  /** Present when the status asked for one guest. */
  guest?: GuestSummary;
  /** When PVE gave the data shown (epoch ms): a status may answer from a read shared with others. */
  readAt?: number;
  /** For one guest: its newest backup archive (null: none found), read by the status job. */
  lastBackup?: { ctime?: number | undefined; storage: string; volid: string } | null;
  /** False when something is flagged (a guest's backup too old): the answer shows as a warning. */
  healthy?: boolean;
}

export function summarizeCluster(
  snapshot: ClusterSnapshot,
  scope: { node?: string; vmid?: number },
): ClusterSummary {
  const guests = snapshot.resources.filter((r): r is GuestResource => r.type === 'qemu' || r.type === 'lxc');
  const nodeEntries = snapshot.resources.filter((r): r is NodeResource => r.type === 'node');
  const onlineByStatus = new Map(snapshot.status.nodes.map((n) => [n.name, n.online]));
  const nodes = nodeEntries
    .filter((n) => scope.node === undefined || n.node === scope.node)
    .map((n): NodeSummary => {
      const own = guests.filter((g) => g.node === n.node && !g.template);
      return {
        name: n.node,
        online: onlineByStatus.get(n.node) ?? n.status === 'online',
        ...(n.cpu === undefined ? {} : { cpu: n.cpu }),
        ...(n.mem === undefined ? {} : { memUsed: n.mem }),
        ...(n.maxmem === undefined ? {} : { memTotal: n.maxmem }),
        ...(n.uptime === undefined ? {} : { uptime: n.uptime }),
        ...(n.hastate === undefined ? {} : { hastate: n.hastate }),
        guestsRunning: own.filter((g) => g.status === 'running').length,
        guestsTotal: own.length,
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
  const inScope = guests.filter((g) => scope.node === undefined || g.node === scope.node);
  const real = inScope.filter((g) => !g.template);
  const counts = {
    total: real.length,
    running: real.filter((g) => g.status === 'running').length,
    stopped: real.filter((g) => g.status === 'stopped').length,
    templates: inScope.length - real.length,
  };
  const online = nodes.filter((n) => n.online).length;
  const name = snapshot.status.clusterName;
  const quorum = snapshot.status.quorate ? 'quorate' : 'NOT QUORATE';
  const where = scope.node === undefined ? (name ?? 'cluster') : `node ${scope.node}`;
  const summary: ClusterSummary = {
    headline: `${where}: ${quorum}, ${online}/${nodes.length} nodes online, ${counts.running}/${counts.total} guests running`,
    ...(name === undefined ? {} : { clusterName: name }),
    quorate: snapshot.status.quorate,
    nodes,
    guests: counts,
    ...(snapshot.readAt === undefined ? {} : { readAt: snapshot.readAt }),
  };
  if (scope.vmid !== undefined) {
    const guest = guests.find((g) => g.vmid === scope.vmid);
    if (guest) {
      summary.guest = guestSummary(guest);
      const label = `${guest.name ?? guest.type} (${guest.type}/${guest.vmid})`;
      summary.headline = `${label}: ${guest.status} on ${guest.node}${guest.lock ? `, locked (${guest.lock})` : ''}`;
    } else {
      summary.headline = `guest ${scope.vmid} does not exist in ${name ?? 'the cluster'}`;
    }
  }
  return summary;
}

/** `PVE data read at 12:04:31Z`: the line under a status, as the answer may reuse a recent read. */
export function describeReadTime(readAt: number): string {
  return `PVE data read at ${new Date(readAt).toISOString().slice(11, 19)}Z`;
}

function guestSummary(g: GuestResource): GuestSummary {
  return {
    vmid: g.vmid,
    type: g.type,
    node: g.node,
    status: g.status ?? 'unknown',
    template: g.template === true,
    ...(g.name === undefined ? {} : { name: g.name }),
    ...(g.lock === undefined ? {} : { lock: g.lock }),
    ...(g.hastate === undefined ? {} : { hastate: g.hastate }),
    ...(g.cpu === undefined ? {} : { cpu: g.cpu }),
    ...(g.mem === undefined ? {} : { memUsed: g.mem }),
    ...(g.maxmem === undefined ? {} : { memTotal: g.maxmem }),
    ...(g.uptime === undefined ? {} : { uptime: g.uptime }),
  };
}
