// qm migrate: the API's pre-fork checks (qemu-server API2/Qemu.pm migrate_vm) and the worker's
// log as QemuMigrate.pm writes it, with progress lines and timestamps.
import { PveHttpError } from '../pve-http-error.js';
import type { SimGuest } from './cluster-model.js';
import { HA_AGENT_LINE } from './guest-labels.js';
import { formatBytes, GiB, MiB } from './log-format.js';
import { durationText, mirrorDisk, transferRam } from './migration-log.js';
import { isCloudInit, localCdroms, localDisks, moveGuest } from './move-guest.js';
import { requestHaMigration } from './request-ha-migration.js';
import type { SimCluster } from './sim-cluster.js';
import { InjectedTaskFailure, isNodeLoss, type SimTask, TaskAbort } from './sim-task.js';

export interface QemuMigrateRequest {
  node: string;
  vmid: number;
  target: string;
  user: string;
  online?: boolean;
  withLocalDisks?: boolean;
  force?: boolean;
}

export function requestQemuMigration(cluster: SimCluster, request: QemuMigrateRequest): string {
  if (request.force && request.user !== 'root@pam') {
    throw PveHttpError.parameters({ force: 'Only root may use this option.' });
  }
  if (request.target === request.node) throw PveHttpError.parameters({ target: 'target is local node.' });
  cluster.assertQuorum();
  cluster.assertNodeExists(request.target);
  const guest = cluster.guestOn(request.node, request.vmid, 'qemu');
  cluster.assertUnlocked(guest);
  if (guest.running && !request.online) throw PveHttpError.die(`can't migrate running VM without --online`);
  if (guest.running && !request.force) {
    const jobs = cluster.replication.jobsOf(guest.vmid);
    if (jobs.length > 0 && !jobs.some((job) => job.target === request.target)) {
      throw PveHttpError.die(
        `Cannot live-migrate replicated VM to node '${request.target}' - not a replication target. Use 'force' to override.`,
      );
    }
  }
  const haUpid = requestHaMigration(cluster, guest, request);
  if (haUpid) return haUpid;
  return startQemuMigrationTask(cluster, guest, request.target, {
    online: request.online ?? false,
    withLocalDisks: request.withLocalDisks ?? false,
    user: request.user,
    byHa: false,
    force: request.force ?? false,
  }).upid;
}

export function startQemuMigrationTask(
  cluster: SimCluster,
  guest: SimGuest,
  target: string,
  options: { online: boolean; withLocalDisks: boolean; user: string; byHa: boolean; force?: boolean },
): SimTask {
  const source = guest.node;
  // The config is locked for the whole migration; the lock is taken before the API returns.
  guest.lock = 'migrate';
  return cluster.startTask(
    { node: source, type: 'qmigrate', id: String(guest.vmid), user: options.user },
    async (task) => {
      if (options.byHa) task.log(HA_AGENT_LINE);
      const targetNode = cluster.node(target);
      const ensureTarget = () => {
        if (!targetNode.online) throw new Error(`Can't connect to destination address using public key`);
      };
      const live = guest.running && options.online;
      let phase2 = false;
      let keepLock = false;
      try {
        // QemuMigrate.pm prepare, for a running VM: without with-conntrack-state (default 0) a
        // 'warn' line, which AbstractMigrate logs with a timestamp and does not count.
        if (live)
          task.logStamped(
            'conntrack state migration not supported or disabled, active connections might get dropped',
          );
        task.logStamped(`starting migration of VM ${guest.vmid} to node '${target}' (${targetNode.address})`);
        const local = localDisks(cluster, guest);
        for (const disk of local)
          task.logStamped(`found local disk '${disk.storage}:${disk.volume}' (attached)`);
        // QemuMigrate prepare: host devices pin the VM (offline only with force).
        const devices = Object.keys(guest.localDevices ?? {});
        if (devices.length > 0 && (guest.running || !options.force))
          throw new Error(`can't migrate VM which uses local devices: ${devices.join(', ')}`);
        const isos = localCdroms(cluster, guest).filter((cdrom) => !isCloudInit(cdrom.volid));
        for (const iso of isos)
          task.logStamped(`can't migrate local cdrom image '${iso.volid}' (referenced in ${iso.key})`);
        if (isos.length > 0)
          throw new Error(`Problem found while scanning volumes - can't migrate VM - check log`);
        if (live && local.length > 0 && !options.withLocalDisks) {
          for (const disk of local) {
            task.logStamped(
              `can't migrate local disk '${disk.storage}:${disk.volume}': can't live migrate attached local disks without with-local-disks option`,
            );
          }
          throw new Error(`Problem found while scanning volumes - can't migrate VM - check log`);
        }
        await task.sleep(1_000);
        ensureTarget();
        if (!live) {
          await migrateOffline(task, local, ensureTarget);
        } else {
          phase2 = true;
          await migrateLive(task, guest, target, local, ensureTarget);
        }
        moveGuest(cluster, guest, target);
        if (live) guest.startedAt = cluster.now();
        task.logStamped(`migration finished successfully (duration ${durationText(task)})`);
      } catch (error) {
        // A worker killed with its node cleans nothing up: the config keeps `lock: migrate`
        // (it lives in /etc/pve) until someone runs `qm unlock` / `pct unlock`.
        keepLock = isNodeLoss(error);
        if (!(error instanceof TaskAbort)) {
          const message = error instanceof Error ? error.message : String(error);
          if (phase2) {
            task.logStamped(`ERROR: online migrate failure - ${message}`);
            task.logStamped('aborting phase 2 - cleanup resources');
            task.logStamped('migrate_cancel');
            task.logStamped(`ERROR: migration finished with problems (duration ${durationText(task)})`);
          } else {
            task.logStamped(`ERROR: migration aborted (duration ${durationText(task)}): ${message}`);
          }
          if (!(error instanceof InjectedTaskFailure))
            throw new Error(phase2 ? 'migration problems' : 'migration aborted');
        }
        throw error;
      } finally {
        if (!keepLock) delete guest.lock;
      }
    },
  );
}

async function migrateOffline(
  task: SimTask,
  local: SimGuest['disks'],
  ensureTarget: () => void,
): Promise<void> {
  if (local.length === 0) return;
  task.logStamped('copying local disk images');
  for (const disk of local) {
    await mirrorDisk(task, '', disk.sizeGiB * GiB, ensureTarget, true);
    task.logStamped(`successfully imported '${disk.storage}:${disk.volume}'`);
    task.logStamped(
      `volume '${disk.storage}:${disk.volume}' is '${disk.storage}:${disk.volume}' on the target`,
    );
  }
}

async function migrateLive(
  task: SimTask,
  guest: SimGuest,
  target: string,
  local: SimGuest['disks'],
  ensureTarget: () => void,
): Promise<void> {
  task.logStamped(`starting VM ${guest.vmid} on remote node '${target}'`);
  task.logStamped('start remote tunnel');
  task.logStamped('ssh tunnel ver 1');
  for (const disk of local) {
    task.logStamped(
      `${disk.key}: start migration to nbd:unix:/run/qemu-server/${guest.vmid}_nbd.migrate:exportname=drive-${disk.key}`,
    );
    task.logStamped(`drive mirror is starting for drive-${disk.key}`);
    await mirrorDisk(task, `drive-${disk.key}: `, disk.sizeGiB * GiB, ensureTarget, true);
  }
  if (local.length > 0) task.logStamped(`all 'mirror' jobs are ready`);
  task.logStamped(`starting online/live migration on unix:/run/qemu-server/${guest.vmid}.migrate`);
  task.logStamped('set migration capabilities');
  task.logStamped('migration downtime limit: 100 ms');
  // phase2: 10% of the memory, rounded up to a power of two (round_powerof2), render_bytes.
  task.logStamped(`migration cachesize: ${formatBytes(roundPowerOf2((guest.memoryMiB * MiB) / 10))}`);
  task.logStamped('set migration parameters');
  task.logStamped(`start migrate command to unix:/run/qemu-server/${guest.vmid}.migrate`);
  const ramBytes = guest.memoryMiB * MiB;
  const seconds = await transferRam(task, ramBytes, ensureTarget);
  // phase2's query-migrate loop on `completed`: the average, then what was sent (RAM pages are
  // re-sent while the guest dirties them, so a little more than its memory), then the status.
  task.logStamped(`average migration speed: ${formatBytes(ramBytes / seconds)}/s - downtime 45 ms`);
  task.logStamped(`migration completed, transferred ${formatBytes(ramBytes * 1.02)} VM-state`);
  task.logStamped('migration status: completed');
  for (const disk of local) {
    task.logStamped(`drive-${disk.key}: Completing block job...`);
    task.logStamped(`drive-${disk.key}: Completed successfully.`);
    task.logStamped(`drive-${disk.key}: mirror-job finished`);
  }
  if (local.length > 0) task.logStamped('stopping NBD storage migration server on target.');
}

/** QemuMigrate.pm round_powerof2: the next power of two at or above `value`. */
function roundPowerOf2(value: number): number {
  if (value < 2) return 1;
  return 2 * 2 ** Math.floor(Math.log(value - 1) / Math.log(2));
}
