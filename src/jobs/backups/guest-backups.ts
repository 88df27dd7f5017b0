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
  options: { localOnly?: string } = {},
): Promise<GuestBackups> {
  const storages = backupStorages(resources).filter(
    (s) => s.shared || options.localOnly === undefined || s.node === options.localOnly,
  );
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

/** How long a finished read is handed out again, as the client's cluster snapshot is (2 s). */
const SHARED_FOR_MS = 2_000;
const shared = new WeakMap<ProxmoxClient, Map<number, { at?: number; read: Promise<GuestBackups> }>>();

/**
 * The guest's backups for `/pve status <guest>`, shared like its cluster read: whoever asks while
 * a read is under way waits for it, and one finished less than 2 s ago is handed out again, so 200
 * statuses of one guest at once cost one read of each storage. Only the shared storages and the
 * guest's own node's local ones are read: a constant number of calls, whatever the cluster's size.
 */
export function recentGuestBackups(
  pve: ProxmoxClient,
  resources: readonly ClusterResource[],
  guest: GuestResource,
): Promise<GuestBackups> {
  let own = shared.get(pve);
  if (!own) {
    own = new Map();
    shared.set(pve, own);
  }
  const known = own.get(guest.vmid);
  if (known && (known.at === undefined || Date.now() - known.at < SHARED_FOR_MS)) return known.read;
  // No caller's signal: one caller giving up must not fail the others; the client bounds each call.
  const entry: { at?: number; read: Promise<GuestBackups> } = {
    read: readGuestBackups(pve, resources, guest, undefined, { localOnly: guest.node }),
  };
  own.set(guest.vmid, entry);
  entry.read.then(
    () => {
      entry.at = Date.now();
    },
    () => {
      if (own.get(guest.vmid) === entry) own.delete(guest.vmid);
    },
  );
  return entry.read;
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
