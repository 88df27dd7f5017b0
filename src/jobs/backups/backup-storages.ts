// Where backups are: every storage with `backup` in its content, read once each. A shared storage
// (a Proxmox Backup Server, NFS, CephFS) holds the same archives whichever node lists it, so it is
// read once for the cluster, from one node that has it available; a local one (a node's `local`
// directory, a USB disk) is read on each node that has it. The storage list comes from
// /cluster/resources, which names each storage's content, so finding them costs no extra call.
import type { ProxmoxClient } from '../../proxmox/proxmox-client.js';
import type { BackupArchive } from '../../proxmox/schemas/backup-schemas.js';
import type { ClusterResource, StorageResource } from '../../proxmox/schemas/cluster-schemas.js';
import { runBounded } from '../digest/run-bounded.js';

export interface BackupStorage {
  storage: string;
  /** The node it is read from (for a shared storage, any node where it is available). */
  node: string;
  shared: boolean;
  /** `pbs`, `dir`, `nfs`, … as /cluster/resources names it. */
  plugintype?: string;
}

/** An archive, with the storage (and the node) it was listed on. */
export type StoredArchive = BackupArchive & { storage: string; node: string };

export interface ArchiveReadFailure {
  storage: string;
  node: string;
  message: string;
}

export function hasBackupContent(storage: StorageResource): boolean {
  return (storage.content ?? '').split(',').includes('backup');
}

/**
 * The backup storages to read: shared ones once, local ones per node, only where the storage is
 * available (a node that is down lists its storages as `unknown`, one that may not use the storage
 * as `disabled`). Sorted by storage, then node, so the reads and what is shown are stable.
 */
export function backupStorages(resources: readonly ClusterResource[]): BackupStorage[] {
  const available = resources
    .filter((r): r is StorageResource => r.type === 'storage')
    .filter((s) => hasBackupContent(s) && s.status === 'available')
    .sort((a, b) => a.storage.localeCompare(b.storage) || a.node.localeCompare(b.node));
  const seenShared = new Set<string>();
  const result: BackupStorage[] = [];
  for (const s of available) {
    const shared = s.shared === true;
    if (shared) {
      if (seenShared.has(s.storage)) continue;
      seenShared.add(s.storage);
    }
    result.push({
      storage: s.storage,
      node: s.node,
      shared,
      ...(s.plugintype === undefined ? {} : { plugintype: s.plugintype }),
    });
  }
  return result;
}

export interface ArchiveReads {
  archives: StoredArchive[];
  failures: ArchiveReadFailure[];
}

/**
 * Lists the backup archives on each storage (only those of `vmid` when given), `concurrency` reads
 * at a time. A storage that cannot be read is reported, never fatal: the others still count.
 */
export async function readArchives(
  pve: ProxmoxClient,
  storages: readonly BackupStorage[],
  options: { vmid?: number; concurrency?: number; signal?: AbortSignal } = {},
): Promise<ArchiveReads> {
  const archives: StoredArchive[] = [];
  const failures: ArchiveReadFailure[] = [];
  const { signal } = options;
  await runBounded(
    storages.map((s) => async () => {
      try {
        const listed = await pve.backups(s.node, s.storage, options.vmid, signal);
        for (const archive of listed) archives.push({ ...archive, storage: s.storage, node: s.node });
      } catch (error) {
        if (signal?.aborted) throw error;
        failures.push({
          storage: s.storage,
          node: s.node,
          message: error instanceof Error ? error.message : String(error),
        });
      }
    }),
    options.concurrency ?? 8,
    signal,
  );
  return { archives, failures };
}

/** The newest archive of each guest (by `ctime`), over every storage read. */
export function newestByGuest(archives: readonly StoredArchive[]): Map<number, StoredArchive> {
  const newest = new Map<number, StoredArchive>();
  for (const archive of archives) {
    const vmid = archive.vmid ?? vmidOfVolid(archive.volid);
    if (vmid === undefined) continue;
    const known = newest.get(vmid);
    if (!known || (archive.ctime ?? 0) > (known.ctime ?? 0)) newest.set(vmid, archive);
  }
  return newest;
}

/** `local:backup/vzdump-qemu-100-…` or `pbs:backup/vm/100/…` → 100. */
function vmidOfVolid(volid: string): number | undefined {
  const match = /vzdump-(?:qemu|lxc|openvz)-(\d+)-|backup\/(?:vm|ct)\/(\d+)\//.exec(volid);
  const id = match?.[1] ?? match?.[2];
  return id === undefined ? undefined : Number(id);
}
