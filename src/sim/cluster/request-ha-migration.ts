// What qemu-server and pve-container do for an HA-managed guest instead of migrating it: a short
// `hamigrate` task that only runs `ha-manager migrate <sid> <target>`; the CRM moves it later.
import type { SimGuest } from './cluster-model.js';
import { haSid } from './cluster-seed.js';
import { guestLabel } from './guest-labels.js';
import { POWER_TIMINGS } from './guest-power.js';
import type { SimCluster } from './sim-cluster.js';

/**
 * Starts the `hamigrate` request task and returns its UPID, or undefined when the guest is not
 * HA-managed (`vm_is_ha_managed`: an `ignored` resource counts as not managed) and the caller
 * must run the real migration.
 */
export function requestHaMigration(
  cluster: SimCluster,
  guest: SimGuest,
  request: { node: string; target: string; user: string },
): string | undefined {
  if (!cluster.ha.isManaged(guest)) return undefined;
  const task = cluster.startTask(
    { node: request.node, type: 'hamigrate', id: String(guest.vmid), user: request.user },
    async (ha) => {
      ha.log(`Requesting HA migration for ${guestLabel(guest)} to node ${request.target}`);
      await ha.sleep(POWER_TIMINGS.haRequest);
      cluster.ha.requestMigration(haSid(guest.type, guest.vmid), request.target);
    },
  );
  return task.upid;
}
