// POST /nodes/{node}/migrateall: one `migrateall` task that migrates the node's guests in turn
// (online for running VMs, restart mode for running containers), as `pvenode migrateall` does.
import type { SimGuest } from '../cluster/cluster-model.js';
import { requestLxcMigration } from '../cluster/lxc-migrate.js';
import { requestQemuMigration } from '../cluster/qemu-migrate.js';
import type { SimCluster } from '../cluster/sim-cluster.js';
import { PveHttpError } from '../pve-http-error.js';
import type { RouteRegistry } from '../types.js';
import { bool, optStr, str } from './request-params.js';

export function registerMigrateAllRoutes(registry: RouteRegistry, cluster: SimCluster): void {
  registry.on('POST', '/nodes/{node}/migrateall', (request) => {
    const node = str(request, 'node');
    const target = str(request, 'target');
    if (target === node) throw PveHttpError.parameters({ target: 'target is local node.' });
    cluster.assertQuorum();
    cluster.assertNodeExists(target);
    if (request.params['max-workers'] === undefined && request.params.maxworkers === undefined) {
      throw PveHttpError.die(`either 'max_workers' parameter or the datacenter.cfg setting is required`);
    }
    const wanted = optStr(request, 'vms')
      ?.split(/[,;\s]+/)
      .filter(Boolean)
      .map(Number);
    const guests = cluster
      .guestsOn(node)
      .filter((guest) => !wanted || wanted.includes(guest.vmid))
      .filter((guest) => !guest.template || wanted !== undefined);
    const withLocalDisks = bool(request, 'with-local-disks');
    return cluster.startTask({ node, type: 'migrateall', id: '', user: request.user }, async (task) => {
      for (const guest of guests) {
        const upid = migrate(cluster, guest, target, request.user, withLocalDisks, task.log.bind(task));
        if (!upid) continue;
        const child = cluster.task(upid);
        while (child?.running) await task.sleep(1_000);
      }
    }).upid;
  });
}

function migrate(
  cluster: SimCluster,
  guest: SimGuest,
  target: string,
  user: string,
  withLocalDisks: boolean,
  log: (line: string) => void,
): string | null {
  try {
    const base = { node: guest.node, vmid: guest.vmid, target, user };
    const upid =
      guest.type === 'qemu'
        ? requestQemuMigration(cluster, { ...base, online: true, withLocalDisks })
        : requestLxcMigration(cluster, { ...base, restart: true });
    log(`Starting migration of ${guest.type === 'qemu' ? 'VM' : 'CT'} ${guest.vmid}: ${upid}`);
    return upid;
  } catch (error) {
    log(`Migration of ${guest.vmid} failed: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  }
}
