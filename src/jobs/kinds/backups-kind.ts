// backups: one guest's archives on every backup storage of the cluster (a Proxmox Backup Server
// included), newest first, with when each was made (UTC), its size and format, and whether it is
// protected or verified; and the scheduled backup jobs that cover the guest, or that none does.
import { z } from 'zod';
import type { GuestResource } from '../../proxmox/schemas/cluster-schemas.js';
import { describeBackupJob } from '../backups/backup-job-coverage.js';
import type { StoredArchive } from '../backups/backup-storages.js';
import { ageOf, readGuestBackups, sizeOf, utcMinute } from '../backups/guest-backups.js';
import { defineJobKind } from '../job-kind.js';
import { guestLabel, guestTargetSchema, locateGuest } from './guest-target.js';

export const backupsPayloadSchema = z.object({
  guest: guestTargetSchema,
  /** How many archives to list, newest first (the count says how many there are in all). */
  limit: z.number().int().min(1).max(100).default(20),
});

/** `pbs-backup:backup/vm/100/2026-04-14T00:00:02Z` → `vm/100/2026-04-14T00:00:02Z`. */
function volumeName(volid: string): string {
  return volid.replace(/^[^:]+:backup\//, '');
}

function marks(archive: StoredArchive): string[] {
  const state = archive.verification?.state;
  return [
    ...(archive.protected === true ? ['protected'] : []),
    ...(state === 'ok' ? ['verified'] : state === undefined ? [] : [`verification ${state}`]),
  ];
}

function line(archive: StoredArchive): string {
  const parts = [
    archive.ctime === undefined ? 'date unknown' : utcMinute(archive.ctime),
    archive.storage,
    volumeName(archive.volid),
    ...(archive.size === undefined ? [] : [sizeOf(archive.size)]),
    ...(archive.format === undefined ? [] : [archive.format]),
    ...marks(archive),
  ];
  return parts.join(' · ');
}

export const backupsKind = defineJobKind({
  name: 'backups',
  payload: backupsPayloadSchema,
  async run(ctx) {
    const { limit } = ctx.payload;
    const resources = await ctx.pve.clusterResources(undefined, ctx.signal);
    const guest =
      resources.find(
        (r): r is GuestResource =>
          (r.type === 'qemu' || r.type === 'lxc') && r.vmid === ctx.payload.guest.vmid,
      ) ?? (await locateGuest(ctx.pve, ctx.payload.guest, ctx.signal));
    const label = guestLabel(guest);
    const found = await readGuestBackups(ctx.pve, resources, guest, ctx.signal);
    const { archives, storages, failures } = found;
    const where = [...new Set(storages.map((s) => s.storage))];
    const text: string[] = [];
    let summary: string;
    if (storages.length === 0) {
      summary = `${label}: no backups — the cluster has no storage for backups (none has the content type 'backup')`;
    } else if (archives.length === 0) {
      summary = `${label} has no backup on ${where.length === 1 ? where[0] : `any of ${where.join(', ')}`}`;
    } else {
      const newest = archives[0]!;
      const on = [...new Set(archives.map((a) => a.storage))];
      summary = `${label}: ${archives.length} backup${archives.length === 1 ? '' : 's'} on ${on.join(', ')}${
        newest.ctime === undefined ? '' : `, the newest ${ageOf(newest.ctime, Date.now())} old`
      }`;
      text.push(...archives.slice(0, limit).map(line));
      if (archives.length > limit) text.push(`… and ${archives.length - limit} older`);
    }
    if (found.jobs === undefined) text.push(`Backup jobs not read: ${found.jobsError ?? 'unknown error'}`);
    else if (found.jobs.length === 0) text.push(`No backup job covers ${label}.`);
    else
      text.push(
        `Backup job${found.jobs.length === 1 ? '' : 's'}: ${found.jobs.map(describeBackupJob).join(', ')}`,
      );
    for (const failure of failures)
      text.push(`Not read: ${failure.storage} on ${failure.node}: ${failure.message}`);
    return {
      summary,
      text: text.join('\n'),
      details: {
        vmid: guest.vmid,
        count: archives.length,
        archives: archives.slice(0, limit).map((a) => ({
          volid: a.volid,
          storage: a.storage,
          ...(a.ctime === undefined ? {} : { ctime: a.ctime }),
          ...(a.size === undefined ? {} : { size: a.size }),
        })),
        jobs: found.jobs?.map((j) => j.id) ?? [],
      },
    };
  },
});
