// The default cluster's backup history, relative to its start: a nightly job (21:00) backs up
// 100, 101, 102 and 200 to the Proxmox Backup Server storage `pbs-backup`; last night's run on
// node02 failed for 102 (so its newest archive is two nights old and the task ended `job
// errors`); files01 (103) was backed up by hand twelve days ago; ct-proxy01 (201) never. Each
// run is in its node's task index with the log vzdump wrote, started by root@pam as
// pvescheduler does.
import type { BackupArchive } from './backup-archives.js';
import type { BackupJob } from './backup-jobs.js';
import { nextRun } from './backup-jobs.js';
import type { SimGuest, SimNode, SimStorage } from './cluster-model.js';
import { GiB, logTimestamp } from './log-format.js';
import type { PastTask } from './task-manager.js';
import { planGuestBackup } from './vzdump-log.js';

export interface BackupSeed {
  archives: BackupArchive[];
  jobs: BackupJob[];
  /** Finished vzdump tasks, oldest first. */
  history: PastTask[];
}

export const PBS_STORAGE: SimStorage = {
  storage: 'pbs-backup',
  type: 'pbs',
  content: 'backup',
  // PBSPlugin is a shared storage type: every node sees the same datastore.
  shared: true,
  total: 8192 * GiB,
  baseUsed: 1310 * GiB,
};

const NIGHTLY_VMIDS = [100, 101, 102, 200];
const NIGHTLY: BackupJob = {
  id: 'backup-nightly',
  options: {
    schedule: '21:00',
    enabled: 1,
    storage: PBS_STORAGE.storage,
    vmid: NIGHTLY_VMIDS.join(','),
    mode: 'snapshot',
    compress: 'zstd',
    'notes-template': '{{guestname}}',
    'notification-mode': 'auto',
    'prune-backups': { 'keep-daily': '7', 'keep-weekly': '4' },
    comment: 'nightly to the backup server',
  },
};
const NIGHTLY_CMDLINE =
  "vzdump 100 101 102 200 --mode snapshot --compress zstd --notes-template '{{guestname}}' --notification-mode auto --prune-backups 'keep-daily=7,keep-weekly=4' --storage pbs-backup";
/** Why last night's backup of 102 failed: the backup server did not answer in time. */
const FAILURE =
  "VM 102 qmp command 'backup' failed - backup connect failed: command error: http request timed out";
const FAILED_VMID = 102;

/** A PBS verify job's UPID (an extra task-counter field; `:` and `-` escaped in the job id). */
function verificationUpid(epoch: number): string {
  const hex = (value: number, width: number) => value.toString(16).toUpperCase().padStart(width, '0');
  return `UPID:pbs01:000030B1:000082AF:0000000F:${hex(epoch, 8)}:verificationjob:datastore1\\x3av\\x2dnightly:root@pam:`;
}

interface Run {
  node: SimNode;
  vmids: number[];
  /** Epoch seconds the job started. */
  start: number;
  cmdline: string;
  /** vmids the job names that live elsewhere (the `skip external VMs` line). */
  skipped: number[];
  failing?: number;
}

export function buildBackupSeed(nodes: SimNode[], guests: SimGuest[], now: number): BackupSeed {
  const timeZone = nodes[0]?.timezone ?? 'UTC';
  // The n-th night before the last (0 = last night): the last 21:00 at least half an hour ago.
  const night = (n: number) => nextRun('21:00', now - (n + 1) * 86_400_000 - 1_800_000, timeZone) ?? 0;
  const archives: BackupArchive[] = [];
  const history: PastTask[] = [];
  const runs: Run[] = [];
  for (const n of [2, 1, 0]) {
    for (const node of nodes) {
      const vmids = NIGHTLY_VMIDS.filter((vmid) => guests.find((g) => g.vmid === vmid)?.node === node.name);
      if (vmids.length === 0) continue;
      const skipped = NIGHTLY_VMIDS.filter((vmid) => !vmids.includes(vmid));
      const run: Run = { node, vmids, start: night(n) + 1, cmdline: NIGHTLY_CMDLINE, skipped };
      if (n === 0 && vmids.includes(FAILED_VMID)) run.failing = FAILED_VMID;
      runs.push(run);
    }
  }
  // files01 by hand, twelve days ago in the afternoon.
  const files01 = guests.find((g) => g.vmid === 103);
  const manualNode = nodes.find((node) => node.name === files01?.node);
  if (files01 && manualNode) {
    runs.unshift({
      node: manualNode,
      vmids: [103],
      start: night(11) - 6 * 3600 - 1_472,
      cmdline:
        "vzdump 103 --storage pbs-backup --mode snapshot --compress zstd --notes-template '{{guestname}}'",
      skipped: [],
    });
  }
  for (const run of runs) history.push(pastRun(run, guests, archives, timeZone, now));
  // Someone kept TestVM's oldest nightly snapshot.
  const kept = archives.find((archive) => archive.vmid === 100);
  if (kept) kept.protected = true;
  return { archives, jobs: [NIGHTLY], history };
}

function pastRun(
  run: Run,
  guests: SimGuest[],
  archives: BackupArchive[],
  timeZone: string,
  now: number,
): PastTask {
  const lines = [`INFO: starting new backup job: ${run.cmdline}`];
  if (run.skipped.length > 0) lines.push(`INFO: skip external VMs: ${run.skipped.join(', ')}`);
  let clock = run.start;
  let errors = 0;
  for (const vmid of run.vmids) {
    const guest = guests.find((g) => g.vmid === vmid);
    if (!guest) continue;
    const at = (epoch: number) => logTimestamp(epoch * 1000, timeZone);
    lines.push(`INFO: Starting Backup of VM ${vmid} (${guest.type})`, `INFO: Backup started at ${at(clock)}`);
    lines.push(`INFO: status = ${guest.running ? 'running' : 'stopped'}`);
    const earlier = archives.some((a) => a.vmid === vmid);
    const plan = planGuestBackup({
      guest,
      node: run.node.name,
      timeZone,
      storage: PBS_STORAGE,
      mode: 'snapshot',
      compress: 'zstd',
      startMs: clock * 1000,
      pid: 0,
      notes: guest.name,
      protected: false,
      incremental: earlier && guest.startedAt !== undefined && guest.startedAt < clock * 1000,
    });
    const text = plan.body.filter((step): step is string => typeof step === 'string');
    if (vmid === run.failing) {
      const upTo = text.findIndex((line) => line.startsWith('creating '));
      lines.push(...text.slice(0, upTo + 1).map((line) => `INFO: ${line}`));
      lines.push(`ERROR: ${FAILURE}`, 'INFO: aborting backup job', 'INFO: resuming VM again');
      clock += 65;
      lines.push(`ERROR: Backup of VM ${vmid} failed - ${FAILURE}`, `INFO: Failed at ${at(clock)}`);
      errors += 1;
      continue;
    }
    lines.push(...text.map((line) => `INFO: ${line}`), ...plan.tail.map((line) => `INFO: ${line}`));
    const archive: BackupArchive = {
      storage: 'pbs-backup',
      volid: `pbs-backup:backup/${plan.volname}`,
      vmid,
      subtype: guest.type,
      format: plan.format,
      size: plan.size,
      ctime: clock,
      notes: guest.name,
    };
    // The datastore's verify job has checked the snapshots older than a day.
    if (now / 1000 - clock > 86_400 + 3_600)
      archive.verification = { state: 'ok', upid: verificationUpid(clock + 7_200) };
    archives.push(archive);
    clock += Math.ceil(plan.seconds);
  }
  lines.push(errors > 0 ? 'INFO: Backup job finished with errors' : 'INFO: Backup job finished successfully');
  lines.push(errors > 0 ? 'TASK ERROR: job errors' : 'TASK OK');
  return {
    node: run.node.name,
    type: 'vzdump',
    id: run.vmids.length === 1 ? String(run.vmids[0]) : '',
    user: 'root@pam',
    starttime: run.start,
    endtime: clock + 1,
    lines,
    exitstatus: errors > 0 ? 'job errors' : 'OK',
  };
}
