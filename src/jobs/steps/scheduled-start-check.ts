// What a job approved for later checks when its time comes, before it does anything: that its
// window is still open (a start missed while the workers were down is reported, never run late),
// and that the cluster is still fit for it: quorate, and every node the job holds (its locks name
// them: a node to reboot or upgrade, a guest's node) online. If not, it does not run and says why;
// the person asks again once the cluster is healthy.
import { DateTime } from 'luxon';
import type { ProxmoxClient } from '../../proxmox/proxmox-client.js';
import type { JobSchedule } from '../job-data.js';
import type { LockTarget } from '../job-kind.js';

const utc = (at: number) => DateTime.fromMillis(at, { zone: 'utc' }).toFormat("yyyy-MM-dd HH:mm 'UTC'");

/** Why a scheduled job must not start at `now`, or undefined while its window is open. */
export function missedWindow(schedule: JobSchedule, now: number): string | undefined {
  if (now <= schedule.endsAt) return undefined;
  const what = schedule.window ? `its window ${schedule.window}` : 'its start time';
  return `${what} (${utc(schedule.startAt)} until ${utc(schedule.endsAt)}) passed while no worker could start it; nothing ran. Schedule it again.`;
}

/**
 * Why the cluster is not fit for this job now, or undefined. `targets`: the job's locks
 * (`node:node03`, `guest:100`); a guest's node is read from the cluster.
 */
export async function unfitCluster(
  pve: ProxmoxClient,
  targets: readonly LockTarget[],
  signal?: AbortSignal,
): Promise<string | undefined> {
  const status = await pve.clusterStatus(signal);
  const online = status.nodes.filter((n) => n.online).length;
  if (!status.quorate) {
    return `the cluster has no quorum (${online} of ${status.nodes.length} nodes online) at its start time, so it did not run; nothing changed. Ask again once the cluster is healthy.`;
  }
  const down = targets
    .filter((t) => t.key.startsWith('node:'))
    .map((t) => t.key.slice('node:'.length))
    .filter((name) => status.nodes.find((n) => n.name === name)?.online !== true);
  if (down.length > 0) {
    return `${down.map((n) => `node ${n}`).join(', ')} ${down.length === 1 ? 'is' : 'are'} offline at its start time, so it did not run; nothing changed.`;
  }
  return undefined;
}
