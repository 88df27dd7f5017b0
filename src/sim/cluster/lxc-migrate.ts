// pct migrate: offline or restart mode (shutdown → move → start); live migration does not exist
// for containers (pve-container LXC/Migrate.pm prepare).
import { PveHttpError } from '../pve-http-error.js';
import type { SimGuest } from './cluster-model.js';
import { HA_AGENT_LINE } from './guest-labels.js';
import { GiB } from './log-format.js';
import { durationText, mirrorDisk } from './migration-log.js';
import { localDisks, moveGuest } from './move-guest.js';
import { requestHaMigration } from './request-ha-migration.js';
import type { SimCluster } from './sim-cluster.js';
import { InjectedTaskFailure, isNodeLoss, type SimTask, TaskAbort } from './sim-task.js';

export interface LxcMigrateRequest {
  node: string;
  vmid: number;
  target: string;
  user: string;
  online?: boolean;
  restart?: boolean;
  timeout?: number;
}

export function requestLxcMigration(cluster: SimCluster, request: LxcMigrateRequest): string {
  if (request.target === request.node) throw PveHttpError.parameters({ target: 'target is local node.' });
  cluster.assertQuorum();
  cluster.assertNodeExists(request.target);
  const guest = cluster.guestOn(request.node, request.vmid, 'lxc');
  // No check_lock before the fork (pve-container API2/LXC.pm migrate_vm): Migrate.pm prepare
  // refuses a locked CT inside the task.
  if (guest.running && !request.online && !request.restart) {
    throw PveHttpError.die(`can't migrate running container without --online or --restart`);
  }
  const haUpid = requestHaMigration(cluster, guest, request);
  if (haUpid) return haUpid;
  const options = {
    online: request.online ?? false,
    restart: request.restart ?? false,
    user: request.user,
    byHa: false,
    timeout: request.timeout ?? 180,
  };
  return startLxcMigrationTask(cluster, guest, request.target, options).upid;
}

export function startLxcMigrationTask(
  cluster: SimCluster,
  guest: SimGuest,
  target: string,
  options: { online: boolean; restart: boolean; user: string; byHa: boolean; timeout?: number },
): SimTask {
  const priorLock = guest.lock;
  // Another vzmigrate of this CT holds guest_migration_lock's flock while it runs.
  const concurrent = cluster.tasks
    .running()
    .some((other) => other.record.type === 'vzmigrate' && other.record.id === String(guest.vmid));
  if (!priorLock) guest.lock = 'migrate';
  return cluster.startTask(
    { node: guest.node, type: 'vzmigrate', id: String(guest.vmid), user: options.user },
    async (task) => {
      if (options.byHa) task.log(HA_AGENT_LINE);
      if (concurrent) {
        // PVE::GuestHelpers::guest_migration_lock: flock with a 10 s timeout, before any log line.
        await task.sleep(10_000);
        throw new Error(`can't lock file '/var/lock/pve-manager/pve-migrate-${guest.vmid}' - got timeout`);
      }
      const targetNode = cluster.node(target);
      const ensureTarget = () => {
        if (!targetNode.online) throw new Error(`Can't connect to destination address using public key`);
      };
      const wasRunning = guest.running;
      let keepLock = false;
      try {
        // LXC/Migrate.pm prepare: check_lock, then the running state.
        if (priorLock) throw new Error(`CT is locked (${priorLock})`);
        // pve-container's own task error, verbatim: CTs have no live migration.
        if (wasRunning && options.online) throw new Error('lxc live migration is currently not implemented');
        if (wasRunning) {
          task.logStamped(`shutdown CT ${guest.vmid}`);
          await task.sleep(4_000);
          cluster.markStopped(guest);
        }
        task.logStamped(`starting migration of CT ${guest.vmid} to node '${target}' (${targetNode.address})`);
        ensureTarget();
        const local = localDisks(cluster, guest);
        for (const disk of guest.disks) {
          const volid = `${disk.storage}:${disk.volume}`;
          if (local.includes(disk)) {
            task.logStamped(`found local volume '${volid}' (in current VM config)`);
            await mirrorDisk(task, '', disk.sizeGiB * GiB, ensureTarget, true);
            task.logStamped(`successfully imported '${volid}'`);
            task.logStamped(`volume '${volid}' is '${volid}' on the target`);
          } else {
            task.logStamped(`volume '${volid}' is on shared storage '${disk.storage}'`);
          }
        }
        await task.sleep(1_000);
        task.failurePoint();
        ensureTarget();
        moveGuest(cluster, guest, target);
        task.logStamped('start final cleanup');
        if (wasRunning) {
          task.logStamped('start container on target node');
          await task.sleep(2_000);
          cluster.markRunning(guest);
        }
        task.logStamped(`migration finished successfully (duration ${durationText(task)})`);
      } catch (error) {
        // A worker killed with its node cleans nothing up: the config keeps `lock: migrate`
        // (it lives in /etc/pve) until someone runs `qm unlock` / `pct unlock`.
        keepLock = isNodeLoss(error);
        if (!(error instanceof TaskAbort)) {
          const message = error instanceof Error ? error.message : String(error);
          task.logStamped(`ERROR: migration aborted (duration ${durationText(task)}): ${message}`);
          // A restart migration that failed after the shutdown starts the container again.
          if (wasRunning && !guest.running && guest.node !== target && !options.online)
            cluster.markRunning(guest);
          if (!(error instanceof InjectedTaskFailure)) throw new Error('migration aborted');
        }
        throw error;
      } finally {
        if (!keepLock && !priorLock) delete guest.lock;
      }
    },
  );
}
