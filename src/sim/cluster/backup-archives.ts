// The backup archives on the cluster's storages, named and listed the way pve-storage does:
// a dir storage holds `dump/vzdump-<type>-<vmid>-<YYYY_MM_DD-HH_MM_SS>.<ext>` files (node-local
// time in the name), a Proxmox Backup Server storage `vm|ct/<vmid>/<UTC time>Z` snapshots.
import type { GuestType, SimStorage } from './cluster-model.js';
import { logTimestamp } from './log-format.js';

export interface BackupArchive {
  storage: string;
  /** The node whose (non-shared) storage holds the file; absent on a shared storage. */
  node?: string;
  volid: string;
  vmid: number;
  subtype: GuestType;
  /** `vma.zst`, `tar.zst`, `pbs-vm`, `pbs-ct`… */
  format: string;
  size: number;
  /** Epoch seconds of the backup's start. */
  ctime: number;
  notes?: string;
  protected?: boolean;
  /** PBS only: the last verify job's result. */
  verification?: { state: 'ok' | 'failed'; upid: string };
}

/** vzdump `compress` → the archive's extension after `.vma` / `.tar` (0 is none). */
const COMPRESSION: Record<string, string> = { '0': '', '1': '.lzo', gzip: '.gz', lzo: '.lzo', zstd: '.zst' };

/** The archive's name on `storage` for a backup that started at `startMs` (node clock). */
export function archiveName(
  storage: SimStorage,
  type: GuestType,
  vmid: number,
  startMs: number,
  timeZone: string,
  compress: string,
): { volname: string; format: string } {
  if (storage.type === 'pbs') {
    const iso = new Date(Math.floor(startMs / 1000) * 1000).toISOString().replace('.000Z', 'Z');
    return {
      volname: `${type === 'qemu' ? 'vm' : 'ct'}/${vmid}/${iso}`,
      format: `pbs-${type === 'qemu' ? 'vm' : 'ct'}`,
    };
  }
  const stamp = logTimestamp(startMs, timeZone).replace(/-/g, '_').replace(' ', '-').replace(/:/g, '_');
  const format = `${type === 'qemu' ? 'vma' : 'tar'}${COMPRESSION[compress] ?? ''}`;
  return { volname: `vzdump-${type}-${vmid}-${stamp}.${format}`, format };
}

/** Where vzdump writes on a dir storage: `local` is /var/lib/vz, others are mounted under /mnt/pve. */
export function dumpDir(storage: SimStorage): string {
  return storage.storage === 'local' ? '/var/lib/vz/dump' : `/mnt/pve/${storage.storage}/dump`;
}

export class BackupArchives {
  private archives: BackupArchive[];

  constructor(seed: BackupArchive[] = []) {
    this.archives = [...seed];
  }

  add(archive: BackupArchive): void {
    this.archives.push(archive);
  }

  /** What `node` sees on `storage`: a shared storage's every archive, a local one's own files. */
  on(storage: string, node: string): BackupArchive[] {
    return this.archives.filter(
      (archive) => archive.storage === storage && (archive.node === undefined || archive.node === node),
    );
  }

  /** Every archive of a guest, on every storage and node, oldest first. */
  ofGuest(vmid: number): BackupArchive[] {
    return this.archives.filter((archive) => archive.vmid === vmid).sort((a, b) => a.ctime - b.ctime);
  }

  find(volid: string, node: string): BackupArchive | undefined {
    return this.archives.find((archive) => archive.volid === volid && (archive.node ?? node) === node);
  }

  remove(archive: BackupArchive): void {
    this.archives = this.archives.filter((entry) => entry !== archive);
  }

  /** Bytes the archives take on a storage as `node` sees it (storage-usage.ts). */
  bytesOn(storage: string, node: string): number {
    return this.on(storage, node).reduce((sum, archive) => sum + archive.size, 0);
  }
}
