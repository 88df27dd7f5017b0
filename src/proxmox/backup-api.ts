// Backups (pve-manager PVE/API2/VZDump.pm and Backup.pm, pve-storage's content listing).
// POST /nodes/{node}/vzdump starts one `vzdump` task for the guests on that node: PVE skips the
// guests that live elsewhere, and answers the plain string "OK" without a task when none is
// there. What fails for a guest (locked, storage full) shows only inside the task: the log's
// "ERROR: Backup of VM 100 failed - …" and the task's end "job errors".
import { pvePath } from './pve-path.js';
import type { PveTransport } from './pve-transport.js';
import {
  type BackupArchive,
  type BackupJob,
  backupArchivesSchema,
  backupJobsSchema,
  type NotBackedUp,
  notBackedUpSchema,
  vzdumpStartedSchema,
} from './schemas/backup-schemas.js';
import { type ClusterTask, clusterTasksSchema } from './schemas/cluster-schemas.js';

export type BackupMode = 'snapshot' | 'suspend' | 'stop';

export interface NewBackup {
  vmids: readonly number[];
  /** The target storage; PVE's default (vzdump.conf, else `local`) when absent. */
  storage?: string;
  mode?: BackupMode;
  /**
   * Archive compression on a file storage (the GUI's default is zstd); a Proxmox Backup Server
   * compresses its chunks itself.
   */
  compress?: 'zstd' | 'gzip' | 'lzo' | '0';
  /** Written into the archive's notes; `{{guestname}}`, `{{vmid}}` and the like are expanded by PVE. */
  notesTemplate?: string;
}

/** The task's UPID, or `nothing-here` when none of the guests is on `node` (no task started). */
export type BackupStarted = { upid: string } | { nothingHere: true };

export async function startBackup(
  transport: PveTransport,
  node: string,
  backup: NewBackup,
  signal?: AbortSignal,
): Promise<BackupStarted> {
  const answer = await transport.request('POST', pvePath`/nodes/${node}/vzdump`, {
    params: {
      // A comma list, as PVE's pve-vmid-list format wants it.
      vmid: backup.vmids.join(','),
      ...(backup.storage ? { storage: backup.storage } : {}),
      ...(backup.mode ? { mode: backup.mode } : {}),
      ...(backup.compress ? { compress: backup.compress } : {}),
      // notes-template is only allowed together with a storage.
      ...(backup.notesTemplate && backup.storage ? { 'notes-template': backup.notesTemplate } : {}),
    },
    schema: vzdumpStartedSchema,
    signal,
  });
  return answer === 'OK' ? { nothingHere: true } : { upid: answer };
}

/** The backup archives on a storage, as `node` sees it; only those of `vmid` when given. */
export function listBackups(
  transport: PveTransport,
  node: string,
  storage: string,
  vmid?: number,
  signal?: AbortSignal,
): Promise<BackupArchive[]> {
  return transport.request('GET', pvePath`/nodes/${node}/storage/${storage}/content`, {
    params: { content: 'backup', vmid },
    schema: backupArchivesSchema,
    signal,
  });
}

export function listBackupJobs(transport: PveTransport, signal?: AbortSignal): Promise<BackupJob[]> {
  return transport.request('GET', '/cluster/backup', { schema: backupJobsSchema, signal });
}

/** Guests no backup job covers (a disabled job counts as covering, as in PVE's GUI). */
export function listNotBackedUp(transport: PveTransport, signal?: AbortSignal): Promise<NotBackedUp[]> {
  return transport.request('GET', '/cluster/backup-info/not-backed-up', {
    schema: notBackedUpSchema,
    signal,
  });
}

export interface NodeTaskFilter {
  /** A task type such as `vzdump`. */
  typefilter?: string;
  vmid?: number;
  limit?: number;
  /** Only failed tasks. */
  errors?: boolean;
}

/** A node's task history (newest first), which keeps more than /cluster/tasks' recent window. */
export function listNodeTasks(
  transport: PveTransport,
  node: string,
  filter: NodeTaskFilter = {},
  signal?: AbortSignal,
): Promise<ClusterTask[]> {
  return transport.request('GET', pvePath`/nodes/${node}/tasks`, {
    params: {
      typefilter: filter.typefilter,
      vmid: filter.vmid,
      limit: filter.limit,
      ...(filter.errors ? { errors: true } : {}),
    },
    schema: clusterTasksSchema,
    signal,
  });
}
