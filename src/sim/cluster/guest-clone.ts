// qm clone / pct clone: pre-fork checks of qemu-server clone_vm, then a worker that copies the
// disks with progress lines (`transferred 1.0 GiB of 32.0 GiB (3.12%)`) while the new guest
// exists with `lock: clone`.
import { PveHttpError } from '../pve-http-error.js';
import type { SimGuest } from './cluster-model.js';
import { guestNoun, taskType } from './guest-labels.js';
import { GiB } from './log-format.js';
import { diskVolume, randomMac, randomUuid } from './make-guest.js';
import { mirrorDisk } from './migration-log.js';
import { localDisks } from './move-guest.js';
import { seededRandom } from './seeded-random.js';
import type { SimCluster } from './sim-cluster.js';
import { TaskAbort } from './sim-task.js';

export interface CloneRequest {
  node: string;
  vmid: number;
  newid: number;
  user: string;
  name?: string;
  full?: boolean;
  target?: string;
  pool?: string;
  storage?: string;
  description?: string;
}

export function requestClone(cluster: SimCluster, type: SimGuest['type'], request: CloneRequest): string {
  const target = request.target && request.target !== request.node ? request.target : undefined;
  if (target) cluster.assertNodeExists(target);
  if (request.storage && !cluster.storages.some((storage) => storage.storage === request.storage)) {
    throw PveHttpError.die(`storage '${request.storage}' does not exist`);
  }
  cluster.assertQuorum();
  const source = cluster.guestOn(request.node, request.vmid, type);
  cluster.assertUnlocked(source);
  if (request.pool && !cluster.pools.has(request.pool)) {
    throw new PveHttpError(403, `Permission check failed (pool '${request.pool}' does not exist)`);
  }
  const full = request.full ?? !source.template;
  if (request.storage && !full) throw PveHttpError.die(`parameter 'storage' not allowed for linked clones`);
  if (!full && !source.template)
    throw PveHttpError.die('Linked clone feature is not supported for non-template guests');
  if (target && localDisks(cluster, source).length > 0) {
    throw PveHttpError.die(`can't clone VM to node '${target}' (VM uses local storage)`);
  }
  const existing = cluster.guest(request.newid);
  if (existing) {
    throw PveHttpError.die(
      `${guestNoun(existing.type)} ${request.newid} already exists on node '${existing.node}'`,
    );
  }

  // create_and_lock_config: the new guest exists, locked, from the moment the API answers.
  const random = seededRandom(request.newid);
  const clone: SimGuest = {
    ...structuredClone(source),
    vmid: request.newid,
    name: request.name ?? (type === 'qemu' ? `Copy-of-VM-${source.name}` : source.name),
    node: request.node,
    running: false,
    template: false,
    lock: 'clone',
    onboot: false,
    mac: randomMac(random),
    uuid: randomUuid(random),
    disks: source.disks.map((disk, index) => ({
      ...disk,
      storage: full ? (request.storage ?? disk.storage) : disk.storage,
      volume: full
        ? diskVolume(request.newid, index, false)
        : `${disk.volume}/${diskVolume(request.newid, index, false)}`,
    })),
  };
  delete clone.startedAt;
  delete clone.pool;
  if (request.pool) clone.pool = request.pool;
  if (request.description !== undefined) clone.description = request.description;
  cluster.addGuest(clone);

  const spec = {
    node: request.node,
    type: taskType(type, 'clone'),
    id: String(source.vmid),
    user: request.user,
  };
  return cluster.startTask(spec, async (task) => {
    try {
      for (const [index, disk] of source.disks.entries()) {
        const volid = `${disk.storage}:${disk.volume}`;
        const what = type === 'qemu' ? `drive ${disk.key}` : `mountpoint ${disk.key}`;
        if (!full) {
          task.log(`create linked clone of ${what} (${volid})`);
          await task.sleep(1_000);
          continue;
        }
        task.log(`create full clone of ${what} (${volid})`);
        const bytes = disk.sizeGiB * GiB;
        if (type === 'qemu' && source.running) {
          task.log(`drive mirror is starting for drive-${disk.key}`);
          await mirrorDisk(task, `drive-${disk.key}: `, bytes, () => {}, false);
          task.log(`all 'mirror' jobs are ready`);
          task.log(`drive-${disk.key}: Completing block job...`);
          task.log(`drive-${disk.key}: Completed successfully.`);
          task.log(`drive-${disk.key}: mirror-job finished`);
        } else {
          await mirrorDisk(task, '', bytes, () => {}, false);
        }
        if (index === 0 && type === 'lxc')
          task.log(`Number of files: 31,204 (reg: 24,881, dir: 2,905, link: 3,418)`);
      }
      if (target) {
        await task.sleep(500);
        clone.node = target;
      }
      delete clone.lock;
    } catch (error) {
      // The half-created guest is destroyed again (clone_vm's error path).
      cluster.removeGuest(clone.vmid);
      if (error instanceof TaskAbort) throw error;
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof Error && error.name === 'InjectedTaskFailure') throw error;
      throw new Error(`clone failed: ${message}`);
    }
  }).upid;
}
