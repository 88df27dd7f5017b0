// Where a running migration goes. PVE records the target nowhere but in the task's log: the UPID
// names the source node and the guest
// (`UPID:node01:0004F1A2:0189A3B4:67A1C2D3:qmigrate:100:root@pam:`), /cluster/tasks adds
// nothing, and the config's `lock: migrate` says only that a migration runs. Phase 1 of the
// migration writes the target first thing: qemu-server src/PVE/QemuMigrate.pm phase1 logs
// "starting migration of VM 100 to node 'node03' (192.0.2.13)", pve-container src/PVE/LXC/Migrate.pm
// phase1 the same with "CT" (both through pve-guest-common AbstractMigrate.pm log, which prefixes
// the time). Before it, `prepare` may log a few lines of its own, and a task started by the HA
// stack opens with "task started by HA resource agent" (captured in
// test/conformance/pve/fixtures/tasks/task-log-migration-live.9.json, line 4).

export interface MigrationTarget {
  guestType: 'VM' | 'CT';
  vmid: number;
  /** The node the guest is migrating to. */
  target: string;
}

const STARTING = /(?:^|\s)starting migration of (VM|CT) (\d+) to node '([^']+)'/;

/** The target a migration task's log names, or undefined while its first phase has not begun. */
export function migrationTargetOf(lines: readonly string[]): MigrationTarget | undefined {
  for (const line of lines) {
    const match = STARTING.exec(line);
    if (match) return { guestType: match[1] as 'VM' | 'CT', vmid: Number(match[2]), target: match[3]! };
  }
  return undefined;
}
