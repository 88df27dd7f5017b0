// The ONLY place that builds a command line for a node. The server hands the line to root's
// shell, so every command is a fixed string chosen by `kind`; the one variable part, a node name,
// must match PVE's own `pve-node` format, which has no room for a shell metacharacter.

export type SshCommand =
  /** `apt-get update`: refresh the package lists. */
  | { kind: 'apt-update' }
  /** A non-interactive `apt-get dist-upgrade` that keeps locally changed config files. */
  | { kind: 'dist-upgrade' }
  /** Exit 0 when the node wants a reboot (a kernel or libc upgrade), 1 when not. */
  | { kind: 'reboot-required' }
  /**
   * Queues the HA CRM command; run it on any node, for any node (pve-ha-manager
   * src/PVE/CLI/ha_manager.pm node-maintenance-set: PVE::HA::Config::queue_crm_commands writes it
   * to the cluster filesystem, where the CRM master reads it). PVE has no API endpoint for it.
   */
  | { kind: 'node-maintenance'; action: 'enable' | 'disable'; node: string };

// PVE's `pve-node` format (PVE::JSONSchema::pve_verify_node_name): a DNS label.
const PVE_NODE_NAME = /^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/;
const MAX_NODE_NAME_LENGTH = 63;

export function isPveNodeName(value: string): boolean {
  return value.length <= MAX_NODE_NAME_LENGTH && PVE_NODE_NAME.test(value);
}

/** The exact line the node's shell runs for `command`; throws for a node name PVE would refuse. */
export function commandLine(command: SshCommand): string {
  switch (command.kind) {
    case 'apt-update':
      return 'apt-get update';
    case 'dist-upgrade':
      // confdef/confold: keep a locally changed config file rather than stop at dpkg's prompt.
      return 'DEBIAN_FRONTEND=noninteractive apt-get -y -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold dist-upgrade';
    case 'reboot-required':
      return 'test -f /var/run/reboot-required';
    case 'node-maintenance': {
      if (command.action !== 'enable' && command.action !== 'disable') {
        throw new TypeError(
          `node-maintenance action must be enable or disable (got ${JSON.stringify(command.action)})`,
        );
      }
      if (typeof command.node !== 'string' || !isPveNodeName(command.node)) {
        throw new TypeError(`not a PVE node name: ${JSON.stringify(command.node)}`);
      }
      return `ha-manager crm-command node-maintenance ${command.action} ${command.node}`;
    }
    default:
      // A kind added to the type but not here, or a value that came from JSON unchecked.
      throw new TypeError(`unknown SSH command: ${JSON.stringify((command as { kind?: unknown }).kind)}`);
  }
}
