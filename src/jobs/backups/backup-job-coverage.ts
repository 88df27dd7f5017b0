// Which scheduled backup jobs (GET /cluster/backup) take a guest, as vzdump picks its guests
// (pve-manager PVE/VZDump.pm get_included_guests): a job names guests by `vmid` (a comma list),
// by `pool`, or takes `all` of them but those in `exclude`; a job with `node` only runs on that
// node, so it takes only the guests that live there.
import type { BackupJob } from '../../proxmox/schemas/backup-schemas.js';

export interface CoverableGuest {
  vmid: number;
  node: string;
  pool?: string | undefined;
}

function idList(text: string | undefined): number[] {
  return (text ?? '')
    .split(/[,\s;]+/)
    .filter((id) => /^\d+$/.test(id))
    .map(Number);
}

export function jobCovers(job: BackupJob, guest: CoverableGuest): boolean {
  if (job.node !== undefined && job.node !== guest.node) return false;
  if (job.all === true) return !idList(job.exclude).includes(guest.vmid);
  if (job.pool !== undefined) return guest.pool === job.pool;
  return idList(job.vmid).includes(guest.vmid);
}

/** The jobs that cover the guest, enabled ones first. */
export function jobsCovering(jobs: readonly BackupJob[], guest: CoverableGuest): BackupJob[] {
  return jobs
    .filter((job) => jobCovers(job, guest))
    .sort((a, b) => Number(a.enabled === false) - Number(b.enabled === false));
}

/** `backup-3f1a2b4c-5d6e (daily 02:00 → pbs-backup, disabled)`. */
export function describeBackupJob(job: BackupJob): string {
  const parts = [job.schedule ?? 'no schedule', ...(job.storage ? [`→ ${job.storage}`] : [])];
  const disabled = job.enabled === false ? ', disabled' : '';
  return `${job.id} (${parts.join(' ')}${disabled})`;
}
