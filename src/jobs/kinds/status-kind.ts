// status: the whole cluster from two PVE calls, whatever its size, shared with the status commands
// asked at about the same time (docs/architecture.md, "Performance targets"). A report may be up to
// the client's snapshot age old (2 s by default), so it says when its data was read. For one guest
// it also says when it was last backed up, from that guest's archives on the shared backup storages
// and its node's own (a read shared like the cluster's), and flags one older than BACKUP_MAX_AGE_DAYS.
import { z } from 'zod';
import { backupMaxAgeDaysSchema, DEFAULT_BACKUP_MAX_AGE_DAYS } from '../../config/read-backup-config.js';
import type { GuestResource } from '../../proxmox/schemas/cluster-schemas.js';
import { ageOf, recentGuestBackups, utcMinute } from '../backups/guest-backups.js';
import { defineJobKind } from '../job-kind.js';
import { describeReadTime, summarizeCluster } from './summarize-cluster.js';

export const statusPayloadSchema = z.object({
  /** Narrow the report to one node or one guest; the whole cluster without either. */
  node: z.string().min(1).optional(),
  vmid: z.number().int().min(100).optional(),
  /** For one guest: a newest backup older than this many days is flagged. */
  backupMaxAgeDays: backupMaxAgeDaysSchema.default(DEFAULT_BACKUP_MAX_AGE_DAYS),
});

export const statusKind = defineJobKind({
  name: 'status',
  payload: statusPayloadSchema,
  async run(ctx) {
    const snapshot = await ctx.pve.recentClusterSnapshot(ctx.signal);
    const summary = summarizeCluster(snapshot, ctx.payload);
    const lines = [describeReadTime(snapshot.readAt)];
    const guest =
      ctx.payload.vmid === undefined
        ? undefined
        : snapshot.resources.find(
            (r): r is GuestResource => (r.type === 'qemu' || r.type === 'lxc') && r.vmid === ctx.payload.vmid,
          );
    if (guest && !guest.template) {
      const backups = await recentGuestBackups(ctx.pve, snapshot.resources, guest);
      const newest = backups.archives.find((a) => a.ctime !== undefined);
      const maxAge = ctx.payload.backupMaxAgeDays;
      const stale = !newest || Date.now() / 1000 - newest.ctime! > maxAge * 86_400;
      const last = newest
        ? `Last backup: ${ageOf(newest.ctime!, Date.now())} ago (${utcMinute(newest.ctime!)}, ${newest.storage})`
        : backups.storages.length === 0
          ? 'Last backup: none (no storage takes backups)'
          : 'Last backup: none on any backup storage';
      lines.push(stale ? `⚠ ${last}: no backup in ${maxAge} days` : last);
      for (const failure of backups.failures)
        lines.push(`Backups on ${failure.storage} (${failure.node}) not read: ${failure.message}`);
      summary.lastBackup = newest
        ? { ctime: newest.ctime, storage: newest.storage, volid: newest.volid }
        : null;
      if (stale) summary.healthy = false;
    }
    return { summary: summary.headline, text: lines.join('\n'), details: summary };
  },
});
