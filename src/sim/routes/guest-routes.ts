// What QEMU and LXC share: the node's guest list, status/current, the power actions and DELETE.
import type { GuestType } from '../cluster/cluster-model.js';
import { requestDestroy } from '../cluster/guest-destroy.js';
import { type PowerAction, requestPowerAction } from '../cluster/guest-power.js';
import type { SimCluster } from '../cluster/sim-cluster.js';
import type { RouteRegistry } from '../types.js';
import { currentStatus, listEntry } from './render-guest.js';
import { bool, int, str } from './request-params.js';

const ACTIONS: readonly PowerAction[] = ['start', 'stop', 'shutdown', 'reboot'];

export function registerGuestRoutes(registry: RouteRegistry, cluster: SimCluster, type: GuestType): void {
  const base = `/nodes/{node}/${type}`;
  registry.on('GET', base, (request) =>
    cluster
      .guestsOn(str(request, 'node'))
      .filter((guest) => guest.type === type)
      .map((guest) => listEntry(cluster, guest)),
  );

  registry.on('GET', `${base}/{vmid}/status/current`, (request) =>
    currentStatus(cluster, cluster.guestOn(str(request, 'node'), int(request, 'vmid'), type)),
  );

  // qemu-server / pve-container destroy_vm (see guest-destroy.ts).
  registry.on('DELETE', `${base}/{vmid}`, (request) =>
    requestDestroy(cluster, type, {
      node: str(request, 'node'),
      vmid: int(request, 'vmid'),
      user: request.user,
      purge: bool(request, 'purge'),
      destroyUnreferencedDisks: bool(request, 'destroy-unreferenced-disks'),
      skiplock: bool(request, 'skiplock'),
      force: bool(request, 'force'),
    }),
  );

  for (const action of ACTIONS) {
    registry.on('POST', `${base}/{vmid}/status/${action}`, (request) =>
      requestPowerAction(cluster, type, action, {
        node: str(request, 'node'),
        vmid: int(request, 'vmid'),
        user: request.user,
        skiplock: bool(request, 'skiplock'),
      }),
    );
  }
}
