// `ha-manager crm-command node-maintenance enable|disable NODE` (pve-ha-manager src/PVE/CLI/ha_manager.pm node-maintenance-set): no REST
// endpoint exists, the CLI only queues a CRM command, so it exits at once and the CRM acts on
// it in its next round.
import type { SimCluster } from '../cluster/sim-cluster.js';
import type { CommandRegistry } from '../types.js';

/** The node argument in the pve-node format; anything else is not an allowed command line. */
export const NODE_MAINTENANCE_COMMAND =
  /^ha-manager crm-command node-maintenance (enable|disable) ([a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)$/;

export function registerHaCommands(registry: CommandRegistry, cluster: SimCluster): void {
  registry.on(NODE_MAINTENANCE_COMMAND, (context) => {
    const [action, node = ''] = context.args;
    // The CLI dies like Perl does (exit 255) with PVE::Cluster's messages.
    if (!cluster.hasNode(node)) {
      context.stderr(`no such cluster node '${node}'\n`);
      return 255;
    }
    // The command is written to /etc/pve/ha/crm_commands under a cluster lock: needs quorum.
    if (!cluster.isQuorate()) {
      context.stderr("cfs-lock 'file-ha_crm_commands' error: cluster not ready - no quorum?\n");
      return 255;
    }
    cluster.ha.queueCrmCommand(`${action}-node-maintenance ${node}`);
    return 0;
  });
}
