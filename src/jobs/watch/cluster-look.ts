// One look of the cluster watch: four reads whatever the cluster's size, all served from pmxcfs
// by whichever node answers (/cluster/status, /cluster/resources, /cluster/ha/status/current,
// /cluster/tasks), so a node that is down costs nothing and a 64-node cluster as little as 3.
// Nodes, quorum and storages must be read; the HA status and the task list may fail on their
// own (that part of the look is skipped, and compared again at the next one).
import type { ProxmoxClient } from '../../proxmox/proxmox-client.js';
import type { ClusterTask, GuestResource, StorageResource } from '../../proxmox/schemas/cluster-schemas.js';
import { type HaService, haViewOf, type LrmState } from '../kinds/read-ha.js';

export interface LookStorage {
  storage: string;
  node: string;
  shared: boolean;
  /** `available`, or `unknown` when its node is offline (PVE then reports no usage). */
  available: boolean;
  used: number;
  total: number;
}

export interface ClusterLook {
  /** When the look was taken (worker clock, ms). */
  at: number;
  /** Undefined on a standalone node (no quorum to lose). */
  clusterName: string | undefined;
  quorate: boolean;
  nodes: Array<{ name: string; online: boolean }>;
  /** vmid → `web01 (qemu/101)`, and each guest's node. */
  guests: Map<number, { label: string; node: string }>;
  storages: LookStorage[];
  ha: { services: HaService[]; lrms: Array<{ node: string; state: LrmState }> } | { error: string };
  tasks: ClusterTask[] | { error: string };
}

function guestLabel(guest: GuestResource): string {
  return guest.name ? `${guest.name} (${guest.type}/${guest.vmid})` : `${guest.type}/${guest.vmid}`;
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function readClusterLook(pve: ProxmoxClient, signal: AbortSignal): Promise<ClusterLook> {
  const [snapshot, ha, tasks] = await Promise.all([
    pve.clusterSnapshot(signal),
    pve.haStatus(signal).catch((error: unknown) => ({ error: reason(error) })),
    pve.clusterTasks(signal).catch((error: unknown) => ({ error: reason(error) })),
  ]);
  const guests = new Map<number, { label: string; node: string }>();
  const names = new Map<string, string>();
  const storages: LookStorage[] = [];
  for (const resource of snapshot.resources) {
    if (resource.type === 'qemu' || resource.type === 'lxc') {
      const guest = resource as GuestResource;
      guests.set(guest.vmid, { label: guestLabel(guest), node: guest.node });
      names.set(`${guest.type === 'qemu' ? 'vm' : 'ct'}:${guest.vmid}`, guestLabel(guest));
    } else if (resource.type === 'storage') {
      const storage = resource as StorageResource;
      storages.push({
        storage: storage.storage,
        node: storage.node,
        shared: storage.shared === true,
        available: storage.status === 'available',
        used: storage.disk ?? 0,
        total: storage.maxdisk ?? 0,
      });
    }
  }
  const view = Array.isArray(ha) ? haViewOf(ha, names) : undefined;
  return {
    at: snapshot.readAt,
    clusterName: snapshot.status.clusterName,
    quorate: snapshot.status.quorate,
    nodes: snapshot.status.nodes.map((node) => ({ name: node.name, online: node.online })),
    guests,
    storages,
    ha: view ? { services: view.services, lrms: view.lrms } : (ha as { error: string }),
    tasks,
  };
}
