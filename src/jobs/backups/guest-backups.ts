// One guest's backups, wherever they are: every backup storage read once (shared ones once for
// the cluster, local ones on each node), only that guest's archives asked for, newest first; and
// the scheduled jobs that cover it. What `/pve backups <guest>` lists and `/pve status <guest>`
// sums up.
import type { ProxmoxClient } from '../../proxmox/proxmox-client.js';
import type { BackupJob } from '../../proxmox/schemas/backup-schemas.js';
import type { ClusterResource, GuestResource } from '../../proxmox/schemas/cluster-schemas.js';
import { jobsCovering } from './backup-job-coverage.js';
import {
  type ArchiveReadFailure,
  type BackupStorage,
  backupStorages,
  readArchives,
  type StoredArchive,
} from './backup-storages.js';

export interface GuestBackups {
  storages: BackupStorage[];
  /** Newest first. */
  archives: StoredArchive[];
  failures: ArchiveReadFailure[];
  /** Undefined when /cluster/backup could not be read (`jobsError` says why). */
  jobs?: BackupJob[];
  jobsError?: string;
}

export async function readGuestBackups(
  pve: ProxmoxClient,
  resources: readonly ClusterResource[],
  guest: GuestResource,
  signal?: AbortSignal,
): Promise<GuestBackups> {
  const storages = backupStorages(resources);
  const [reads, jobs] = await Promise.all([
    readArchives(pve, storages, { vmid: guest.vmid, ...(signal ? { signal } : {}) }),
    pve.backupJobs(signal).then(
      (all) => ({ jobs: jobsCovering(all, guest) }),
      (error: unknown) => {
        if (signal?.aborted) throw error;
        return { jobsError: error instanceof Error ? error.message : String(error) };
      },
    ),
  ]);
  const archives = reads.archives
    // A storage may list every guest's archives when the filter is not honoured: keep this one's.
    .filter((a) => a.vmid === undefined || a.vmid === guest.vmid)
    .sort((a, b) => (b.ctime ?? 0) - (a.ctime ?? 0) || a.volid.localeCompare(b.volid));
  return { storages, archives, failures: reads.failures, ...jobs };
}

const two = (n: number) => String(n).padStart(2, '0');

/** `2026-04-14 02:00 UTC` */
export function utcMinute(epochSeconds: number): string {
  const at = new Date(epochSeconds * 1000);
  return `${at.toISOString().slice(0, 10)} ${two(at.getUTCHours())}:${two(at.getUTCMinutes())} UTC`;
}

/** `45 s`, `12 min`, `5 h`, `3 days` since `epochSeconds`. */
export function ageOf(epochSeconds: number, now: number): string {
  const s = Math.max(0, Math.round(now / 1000 - epochSeconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.round(s / 60)} min`;
  if (s < 2 * 86_400) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} days`;
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/** `2.3 GiB` */
export function sizeOf(value: number): string {
  let amount = value;
  let unit = 0;
  while (amount >= 1024 && unit < UNITS.length - 1) {
    amount /= 1024;
    unit += 1;
  }
  return `${amount.toFixed(amount < 10 && unit > 0 ? 1 : 0)} ${UNITS[unit]}`;
}
