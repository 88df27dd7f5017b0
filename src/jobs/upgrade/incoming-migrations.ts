// Migrations into a node: a node must not be drained or rebooted while a guest migrates into it,
// or the reboot breaks the migration (it happened: node03 was rebooted under an incoming VM).
// A migration's task runs on its SOURCE node, so "tasks running on the node" does not see it.
//
// What PVE tells: /cluster/tasks lists every running task cluster-wide (the list is broadcast as
// soon as a worker forks: pve-common RESTEnvironment.pm fork_worker, broadcast_tasklist); the
// target is only in a migration task's log (proxmox/migration-target.ts). The HA stack moves its
// guests in the CRM's states `migrate`, `relocate` and `request_start_balance` (pve-ha-manager
// Manager.pm, each with a `target`), and /cluster/ha/status/current shows that state
// (`crm_state`) but not the target (API2/HA/Status.pm add_service); its LRM then runs the
// qmigrate/vzmigrate task whose log names the target. So: a running migration task counts when
// its log names this node, or names no target yet (still preparing); an HA move counts while no
// task shows where it goes. Unknown targets count: waiting a few seconds too long is cheap, a
// reboot under a migration is not.
import { migrationTargetOf } from '../../proxmox/migration-target.js';
import type { ProxmoxClient } from '../../proxmox/proxmox-client.js';

const MIGRATION_TASKS = new Set(['qmigrate', 'vzmigrate']);
const HA_MOVES = new Set(['migrate', 'relocate', 'request_start_balance']);

export interface IncomingMigration {
  /** `VM 100` / `CT 201` / `vm:100` (an HA service whose task has not started). */
  guest: string;
  vmid: number;
  from: string;
  /** Undefined when PVE does not tell yet where it goes. */
  target: string | undefined;
  upid?: string;
}

export async function incomingMigrations(
  pve: ProxmoxClient,
  node: string,
  signal?: AbortSignal,
): Promise<IncomingMigration[]> {
  const [tasks, ha] = await Promise.all([pve.clusterTasks(signal), pve.haStatus(signal)]);
  // Running: no end yet (a finished entry has `status` and `endtime`). One on the node itself is
  // an outgoing migration, which the pre-flight's running-task check already refuses.
  const running = tasks.filter(
    (t) => MIGRATION_TASKS.has(t.type) && t.endtime === undefined && t.status === undefined,
  );
  const incoming: IncomingMigration[] = [];
  for (const task of running) {
    if (task.node === node) continue;
    const vmid = Number(task.id);
    const log = await pve.taskLog(task.upid, {}, signal);
    const found = migrationTargetOf(log.map((line) => line.t));
    if (found && found.target !== node) continue;
    incoming.push({
      guest: found
        ? `${found.guestType} ${found.vmid}`
        : `${task.type === 'vzmigrate' ? 'CT' : 'VM'} ${vmid}`,
      vmid,
      from: task.node,
      target: found?.target,
      upid: task.upid,
    });
  }
  const withTask = new Set(running.map((t) => Number(t.id)));
  for (const entry of ha) {
    if (entry.type !== 'service' || !HA_MOVES.has(entry.crm_state ?? '')) continue;
    const sid = entry.sid ?? entry.id.replace(/^service:/, '');
    const vmid = Number(sid.split(':')[1]);
    if (withTask.has(vmid) || entry.node === node) continue;
    incoming.push({ guest: sid, vmid, from: entry.node ?? 'another node', target: undefined });
  }
  return incoming;
}

/** `VM 100 from node01`, `vm:101 from node02 (target not known yet)`, joined. */
export function describeIncoming(migrations: readonly IncomingMigration[]): string {
  return migrations
    .map((m) => `${m.guest} from ${m.from}${m.target === undefined ? ' (target not known yet)' : ''}`)
    .join(', ');
}
