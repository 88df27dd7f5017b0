// The names under which the upgrade job records each step of each node (ctx.memo), so a resumed
// slice, a restarted worker and the report all read the same facts.
export interface MovedGuest {
  vmid: number;
  type: 'qemu' | 'lxc';
  name?: string | undefined;
  /** Where it went while its node was upgraded. */
  to: string;
}

export function upgradeMemo(node: string) {
  return {
    preflight: `preflight:${node}`,
    maintenanceOn: `maintenance-on:${node}`,
    haGuests: `ha-guests:${node}`,
    moves: `moves:${node}`,
    movedOut: (vmid: number) => `moved-out:${node}:${vmid}`,
    drained: `drained:${node}`,
    aptUpdate: `apt-update:${node}`,
    distUpgrade: `dist-upgrade:${node}`,
    rebootDecision: `reboot-decision:${node}`,
    rebootIssuedAt: `reboot-issued-at:${node}`,
    rebootSent: `reboot-sent:${node}`,
    rebooted: `rebooted:${node}`,
    restoring: `restoring:${node}`,
    maintenanceOff: `maintenance-off:${node}`,
    haBack: `ha-back:${node}`,
    movedBack: (vmid: number) => `moved-back:${node}:${vmid}`,
    done: `done:${node}`,
  };
}
