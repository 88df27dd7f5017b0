// /nodes/{node}/{qemu|lxc}/{vmid}/snapshot…: the snapshot list and configs as qemu-server
// API2/Qemu.pm (snapshot_list, get_snapshot_config) and pve-container API2/LXC/Snapshot.pm render
// them, and the three snapshot tasks (guest-snapshots.ts).
import type { GuestType, SimGuest, SimSnapshot } from '../cluster/cluster-model.js';
import {
  requestDeleteSnapshot,
  requestRollback,
  requestSnapshot,
  updateSnapshotDescription,
} from '../cluster/guest-snapshots.js';
import type { SimCluster } from '../cluster/sim-cluster.js';
import { PveHttpError } from '../pve-http-error.js';
import type { RouteRegistry, SimRequest } from '../types.js';
import { lxcConfig, qemuConfig } from './guest-config.js';
import { bool, int, optStr, str } from './request-params.js';

/** What qemu-server records of the running machine with a RAM snapshot. */
const RUNNING_MACHINE = 'pc-i440fx-10.1+pve0';
const RUNNING_CPU = 'x86-64-v2-AES,+aes,+popcnt,+sse4.1,+sse4.2,+ssse3,enforce';

function configOf(guest: SimGuest): Record<string, unknown> {
  return guest.type === 'qemu' ? qemuConfig(guest) : lxcConfig(guest);
}

/**
 * One list entry: snaptime, description ('' when none), parent and snapstate when set; QEMU adds
 * vmstate 0/1 (containers have no such key).
 */
function listEntry(guest: SimGuest, snapshot: SimSnapshot): Record<string, unknown> {
  const entry: Record<string, unknown> = { name: snapshot.name, snaptime: snapshot.snaptime };
  if (guest.type === 'qemu') entry.vmstate = snapshot.vmstate ? 1 : 0;
  entry.description = snapshot.description ?? '';
  if (snapshot.state.parent) entry.parent = snapshot.state.parent;
  if (snapshot.snapstate) entry.snapstate = snapshot.snapstate;
  return entry;
}

/** The snapshots in config order (PVE's is hash order: only `current` being last is promised). */
export function snapshotList(guest: SimGuest): Array<Record<string, unknown>> {
  const list = (guest.snapshots ?? []).map((snapshot) => listEntry(guest, snapshot));
  const current: Record<string, unknown> = {
    name: 'current',
    digest: configOf(guest).digest,
    running: guest.running ? 1 : 0,
    description: 'You are here!',
  };
  if (guest.parent) current.parent = guest.parent;
  return [...list, current];
}

/** The snapshot section: the guest's config of then, no digest, plus snaptime and the RAM keys. */
export function snapshotConfig(guest: SimGuest, snapshot: SimSnapshot): Record<string, unknown> {
  const then: SimGuest = { ...guest, ...structuredClone(snapshot.state), running: false };
  delete then.lock;
  delete then.description;
  delete then.parent;
  const config = configOf(then);
  delete config.digest;
  if (snapshot.state.parent) config.parent = snapshot.state.parent;
  if (snapshot.description) config.description = snapshot.description;
  config.snaptime = snapshot.snaptime;
  if (snapshot.snapstate) config.snapstate = snapshot.snapstate;
  if (snapshot.vmstate) {
    config.vmstate = snapshot.vmstate;
    config.runningmachine = RUNNING_MACHINE;
    config.runningcpu = RUNNING_CPU;
  }
  return config;
}

export function registerSnapshotRoutes(registry: RouteRegistry, cluster: SimCluster, type: GuestType): void {
  const base = `/nodes/{node}/${type}/{vmid}/snapshot`;
  const guestOf = (request: SimRequest) => cluster.guestOn(str(request, 'node'), int(request, 'vmid'), type);
  const target = (request: SimRequest) => ({
    node: str(request, 'node'),
    vmid: int(request, 'vmid'),
    type,
    user: request.user,
  });

  registry.on('GET', base, (request) => snapshotList(guestOf(request)));
  registry.on('POST', base, (request) =>
    requestSnapshot(cluster, target(request), str(request, 'snapname'), {
      // Only the qemu schema has vmstate: a container's request never gets here with it.
      vmstate: bool(request, 'vmstate'),
      ...(optStr(request, 'description') !== undefined ? { description: str(request, 'description') } : {}),
    }),
  );
  // snapshot_cmd_idx: the two sub-paths, without looking at the snapshot.
  registry.on('GET', `${base}/{snapname}`, () => [{ cmd: 'rollback' }, { cmd: 'config' }]);
  registry.on('DELETE', `${base}/{snapname}`, (request) =>
    requestDeleteSnapshot(cluster, target(request), str(request, 'snapname'), bool(request, 'force')),
  );
  registry.on('GET', `${base}/{snapname}/config`, (request) => {
    const guest = guestOf(request);
    const snapname = str(request, 'snapname');
    const snapshot = guest.snapshots?.find((entry) => entry.name === snapname);
    if (!snapshot) throw PveHttpError.die(`snapshot '${snapname}' does not exist`);
    return snapshotConfig(guest, snapshot);
  });
  registry.on('PUT', `${base}/{snapname}/config`, (request) => {
    cluster.assertQuorum();
    updateSnapshotDescription(guestOf(request), str(request, 'snapname'), optStr(request, 'description'));
    return null;
  });
  registry.on('POST', `${base}/{snapname}/rollback`, (request) =>
    requestRollback(cluster, target(request), str(request, 'snapname'), bool(request, 'start')),
  );
}
