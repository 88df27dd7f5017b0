// qm create: pre-fork checks of qemu-server's create_vm (quorum, a free vmid, a known storage),
// then a `qmcreate` worker that allocates the disk and writes the config; with `start=1` the VM is
// started at the end of the same task, as PVE does.
import { PveHttpError } from '../pve-http-error.js';
import { guestNoun } from './guest-labels.js';
import { makeGuest } from './make-guest.js';
import { seededRandom } from './seeded-random.js';
import type { SimCluster } from './sim-cluster.js';

export interface CreateRequest {
  node: string;
  vmid: number;
  user: string;
  name?: string;
  memoryMiB: number;
  cores: number;
  ostype?: string;
  /** `STORAGE:SIZE_GiB`, as the GUI sends a new disk (`local-lvm:32`). */
  scsi0?: string;
  start: boolean;
  pool?: string;
}

export function requestCreate(cluster: SimCluster, request: CreateRequest): string {
  cluster.assertNodeExists(request.node);
  // qemu-server src/PVE/API2/Qemu.pm create_vm: quorum, pool, the drives' storages
  // ($check_drive_param), then create_and_lock_config (PVE::Cluster check_vmid_unused, whose
  // "VM"/"CT" names what holds the id) behind "unable to create VM <vmid> - ".
  cluster.assertQuorum();
  if (request.pool && !cluster.pools.has(request.pool)) {
    throw new PveHttpError(403, `Permission check failed (pool '${request.pool}' does not exist)`);
  }
  const [storage = 'local-lvm', size = '32'] =
    (request.scsi0 ?? 'local-lvm:32').split(',')[0]?.split(':') ?? [];
  if (!cluster.storages.some((s) => s.storage === storage))
    throw PveHttpError.die(`storage '${storage}' does not exist`);
  const taken = cluster.guest(request.vmid);
  if (taken)
    throw PveHttpError.die(
      `unable to create VM ${request.vmid} - ${guestNoun(taken.type)} ${request.vmid} already exists on node '${taken.node}'`,
    );
  const guest = makeGuest(
    {
      vmid: request.vmid,
      type: 'qemu',
      name: request.name ?? `VM${request.vmid}`,
      node: request.node,
      running: false,
      memoryMiB: request.memoryMiB,
      cores: request.cores,
      storage,
      diskGiB: Number(size) || 32,
      ostype: request.ostype ?? 'l26',
      ...(request.pool ? { pool: request.pool } : {}),
    },
    cluster.now(),
    seededRandom(request.vmid),
  );
  guest.lock = 'create';
  cluster.addGuest(guest);
  return cluster.startTask(
    { node: request.node, type: 'qmcreate', id: String(request.vmid), user: request.user },
    async (task) => {
      task.log(`  Logical volume "vm-${request.vmid}-disk-0" created.`);
      await task.sleep(1_500);
      task.failurePoint();
      delete guest.lock;
      if (request.start) {
        // create_vm's worker prints this before it calls vm_start.
        task.log('Execute autostart');
        await task.sleep(1_000);
        cluster.markRunning(guest);
      }
    },
  ).upid;
}
