// Backups as PVE reports them (pve-manager VZDump.pm and Backup.pm, pve-storage's plugins;
// test/conformance/pve/fixtures/backups).
import { z } from 'zod';
import { pveBool, pveInt, pveNumber, pveString } from './pve-values.js';

/**
 * One archive in a storage's content (`content=backup`). A directory storage names it
 * `local:backup/vzdump-qemu-100-2026_04_14-02_00_02.vma.zst`, a Proxmox Backup Server one
 * `pbs-backup:backup/vm/100/2026-04-14T00:00:02Z` (format `pbs-vm`/`pbs-ct`, with the last
 * verification's state once one ran). `ctime` is when the backup was made.
 */
export const backupArchiveSchema = z.looseObject({
  volid: z.string(),
  format: z.string().optional(),
  size: pveNumber.optional(),
  ctime: pveInt.optional(),
  vmid: pveInt.optional(),
  subtype: z.string().optional(),
  content: z.string().optional(),
  notes: pveString.optional(),
  protected: pveBool.optional(),
  verification: z.looseObject({ state: z.string().optional(), upid: z.string().optional() }).optional(),
});
export const backupArchivesSchema = z.array(backupArchiveSchema);
export type BackupArchive = z.output<typeof backupArchiveSchema>;

/**
 * A scheduled backup job (GET /cluster/backup). Which guests: `vmid` (a comma list, a string),
 * `all` (then maybe `exclude`) or `pool`. `next-run` is there for every job with a schedule, even a
 * disabled one (PVE 8.4's schema lists only `id`, its answers carry the rest).
 */
export const backupJobSchema = z.looseObject({
  id: z.string(),
  schedule: z.string().optional(),
  enabled: pveBool.optional(),
  storage: z.string().optional(),
  vmid: pveString.optional(),
  all: pveBool.optional(),
  exclude: pveString.optional(),
  pool: z.string().optional(),
  node: z.string().optional(),
  mode: z.string().optional(),
  comment: z.string().optional(),
  'next-run': pveInt.optional(),
});
export const backupJobsSchema = z.array(backupJobSchema);
export type BackupJob = z.output<typeof backupJobSchema>;

/** A guest no backup job covers (GET /cluster/backup-info/not-backed-up). */
export const notBackedUpSchema = z.array(
  z.looseObject({ vmid: pveInt, type: z.string().optional(), name: pveString.optional() }),
);
export type NotBackedUp = z.output<typeof notBackedUpSchema>[number];

/**
 * What POST /nodes/{node}/vzdump answers: a task's UPID, or the plain string `OK` when none of the
 * guests named is on that node (nothing was started).
 */
export const vzdumpStartedSchema = z.union([z.string().startsWith('UPID:'), z.literal('OK')]);
