// What vzdump prints while it backs up one guest, after `status = …` and the lock: pve-manager
// PVE/VZDump.pm exec_backup_task and the guest plugins (qemu-server PVE/VZDump/QemuServer.pm,
// pve-container PVE/VZDump/LXC.pm). A plan is built in one go, so a seeded past backup and a
// running task print the same lines; sleeps and state changes sit between them.
import { createHash } from 'node:crypto';
import { archiveName, dumpDir } from './backup-archives.js';
import type { SimGuest, SimStorage } from './cluster-model.js';
import { formatDuration, GiB, logTimestamp, MiB, renderBytes, renderDuration } from './log-format.js';

/** A log line (without the `INFO: ` prefix), a simulated sleep in ms, or a change of the guest. */
export type BackupStep = string | number | { effect: 'stop' | 'start' };

export interface GuestBackupInput {
  guest: SimGuest;
  node: string;
  timeZone: string;
  storage: SimStorage;
  mode: 'snapshot' | 'suspend' | 'stop';
  compress: string;
  /** When the guest's backup started, node clock (epoch ms). */
  startMs: number;
  /** The vzdump worker's pid (temporary directory names). */
  pid: number;
  notes?: string;
  protected: boolean;
  /** PBS: an earlier snapshot exists and the VM ran since, so its dirty bitmap is valid. */
  incremental: boolean;
}

export interface GuestBackupPlan {
  body: BackupStep[];
  /** `Finished Backup of VM …` and `Backup finished at …`. */
  tail: string[];
  volname: string;
  format: string;
  size: number;
  seconds: number;
}

/** PVE::VZDump format_size: `245MB`, `2.31GB` (integers below a GiB, no space). */
export function formatSize(bytes: number): string {
  const kb = bytes / 1024;
  if (kb < 1024) return `${Math.floor(kb)}KB`;
  const mb = kb / 1024;
  if (mb < 1024) return `${Math.floor(mb)}MB`;
  const gb = mb / 1024;
  if (gb < 1024) return `${gb.toFixed(2)}GB`;
  return `${(gb / 1024).toFixed(2)}TB`;
}

/** A stable UUID for QEMU's backup job, from the guest and the start time. */
function jobUuid(vmid: number, startMs: number): string {
  const hex = createHash('sha1').update(`${vmid}:${startMs}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** How much of a guest's disks holds data (the rest reads as zeroes), stable per guest. */
function dataFraction(vmid: number): number {
  return 0.12 + (vmid % 9) * 0.015;
}

/** PVE::Tools::render_bytes($x, 1) . '/s', or `0 B/s`. */
function rate(bytes: number, seconds: number): string {
  return bytes <= 0 ? '0 B/s' : `${renderBytes(Math.floor(bytes / Math.max(1, seconds)), 1)}/s`;
}

/** query_backup_status_loop: a status line every few seconds, the last at 100%. */
function progress(body: BackupStep[], target: number, written: number, bytesPerSec: number): number {
  const seconds = Math.max(1, Math.ceil(target / bytesPerSec));
  const points = [...new Set([Math.min(3, seconds), Math.round(seconds / 2), seconds])].filter((t) => t > 0);
  let last = 0;
  for (const t of points.sort((a, b) => a - b)) {
    body.push((t - last) * 1000);
    const done = t === seconds ? target : (target * t) / seconds;
    const before = last === seconds ? target : (target * last) / seconds;
    const pct = String(Math.floor((done * 100) / target)).padStart(3, ' ');
    const read = rate(done - before, t - last);
    const write = rate(((done - before) * written) / target, t - last);
    body.push(
      `${pct}% (${renderBytes(done, 1)} of ${renderBytes(target, 1)}) in ${renderDuration(t)}, read: ${read}, write: ${write}`,
    );
    last = t;
  }
  return seconds;
}

export function planGuestBackup(input: GuestBackupInput): GuestBackupPlan {
  const { guest, storage, startMs } = input;
  const running = guest.running;
  const mode = running ? input.mode : 'stop';
  const pbs = storage.type === 'pbs';
  const { volname, format } = archiveName(
    storage,
    guest.type,
    guest.vmid,
    startMs,
    input.timeZone,
    input.compress,
  );
  const target = pbs ? volname : `${dumpDir(storage)}/${volname}`;
  const diskBytes = guest.disks.reduce((sum, disk) => sum + disk.sizeGiB * GiB, 0);
  const data = Math.round(diskBytes * dataFraction(guest.vmid));
  const body: BackupStep[] = [];
  let size: number;
  if (guest.type === 'qemu') {
    size = qemuBody(body, input, { mode, running, target, diskBytes, data });
  } else {
    size = lxcBody(body, input, { mode, running, target, data });
  }
  if (input.notes !== undefined) body.push('adding notes to backup');
  if (input.protected) body.push('marking backup as protected');
  const seconds =
    2 + body.reduce<number>((sum, step) => sum + (typeof step === 'number' ? step : 0), 0) / 1000;
  body.unshift(1_000);
  body.push(1_000);
  const tail = [
    `Finished Backup of VM ${guest.vmid} (${formatDuration(seconds)})`,
    `Backup finished at ${logTimestamp(startMs + seconds * 1000, input.timeZone)}`,
  ];
  return { body, tail, volname, format, size, seconds };
}

interface Shape {
  mode: 'snapshot' | 'suspend' | 'stop';
  running: boolean;
  target: string;
  data: number;
}

function qemuBody(body: BackupStep[], input: GuestBackupInput, s: Shape & { diskBytes: number }): number {
  const { guest, storage } = input;
  const pbs = storage.type === 'pbs';
  body.push(`VM Name: ${guest.name}`);
  for (const disk of guest.disks)
    body.push(`include disk '${disk.key}' '${disk.storage}:${disk.volume}' ${disk.sizeGiB}G`);
  body.push(`backup mode: ${s.mode}`, 'ionice priority: 7');
  let pausedSince = 0;
  if (s.running && s.mode === 'stop') {
    body.push('stopping virtual guest', 4_000, { effect: 'stop' });
    pausedSince = 1;
  }
  if (s.running && s.mode === 'suspend') {
    body.push('suspending guest', 1_000);
    pausedSince = 1;
  }
  if ((guest.snapshots?.length ?? 0) > 0) body.push('snapshots found (not included into backup)');
  body.push(`creating ${pbs ? 'Proxmox Backup Server' : 'vzdump'} archive '${s.target}'`);
  if (!s.running || s.mode === 'stop') body.push('starting kvm to execute backup task', 1_000);
  if (s.running && s.mode === 'snapshot') {
    body.push(`issuing guest-agent 'fs-freeze' command`, `issuing guest-agent 'fs-thaw' command`);
  }
  body.push(`started backup task '${jobUuid(guest.vmid, input.startMs)}'`);
  if (s.running) {
    if (pausedSince) body.push(`resuming VM again after ${s.mode === 'stop' ? 6 : 2} seconds`);
    else body.push('resuming VM again');
    if (s.mode === 'stop') body.push({ effect: 'start' });
  }
  let target = s.diskBytes;
  let reused = 0;
  if (pbs) {
    const incremental = input.incremental && s.running;
    const dirty = incremental ? Math.round(s.diskBytes * 0.02) : s.diskBytes;
    for (const disk of guest.disks) {
      const status = incremental
        ? `OK (${renderBytes(dirty * ((disk.sizeGiB * GiB) / s.diskBytes), 1)} of ${renderBytes(disk.sizeGiB * GiB, 1)} dirty)`
        : 'created new';
      body.push(`${disk.key}: dirty-bitmap status: ${status}`);
    }
    if (incremental) {
      body.push(
        `using fast incremental mode (dirty-bitmap), ${renderBytes(dirty, 1)} dirty of ${renderBytes(s.diskBytes, 1)} total`,
      );
      target = dirty;
      reused = s.diskBytes - dirty;
    } else {
      reused = s.diskBytes - s.data;
    }
  }
  const written = pbs && reused > 0 && target < s.diskBytes ? target : s.data;
  const seconds = progress(body, target, written, pbs && target < s.diskBytes ? 210 * MiB : 1.5 * GiB);
  if (!pbs || target === s.diskBytes) {
    const zero = s.diskBytes - s.data;
    body.push(
      `backup is sparse: ${renderBytes(zero)} (${Math.floor((zero * 100) / target)}%) total zero data`,
    );
  }
  if (reused > 0)
    body.push(
      `backup was done incrementally, reused ${renderBytes(reused)} (${Math.floor((reused * 100) / s.diskBytes)}%)`,
    );
  body.push(`transferred ${renderBytes(target)} in ${seconds + 1} seconds (${rate(target, seconds + 1)})`);
  if (!s.running) body.push('stopping kvm after backup task');
  if (pbs) return s.diskBytes;
  const size = Math.round(s.data * 0.45);
  body.push(`archive file size: ${formatSize(size)}`);
  return size;
}

function lxcBody(body: BackupStep[], input: GuestBackupInput, s: Shape): number {
  const { guest, storage } = input;
  const pbs = storage.type === 'pbs';
  body.push(`CT Name: ${guest.name}`, `including mount point rootfs ('/') in backup`);
  body.push(`backup mode: ${s.mode}`, 'ionice priority: 7');
  const tmp = `/var/tmp/vzdumptmp${input.pid}_${guest.vmid}/`;
  if (s.running && s.mode === 'stop') body.push('stopping virtual guest', 4_000, { effect: 'stop' });
  if (s.running && s.mode === 'suspend') {
    body.push(`starting first sync /proc/${input.pid + 311}/root/ to ${tmp}`, 6_000);
    body.push('first sync finished - transferred 1.09G bytes in 6s', 'suspending guest');
    body.push(`starting final sync /proc/${input.pid + 311}/root/ to ${tmp}`, 1_000);
    body.push('final sync finished - transferred 4.19M bytes in 1s', 'resuming guest');
    body.push('guest is online again after 1 seconds');
  }
  if (s.mode === 'snapshot') body.push(`create storage snapshot 'vzdump'`, 1_000);
  body.push(`creating ${pbs ? 'Proxmox Backup Server' : 'vzdump'} archive '${s.target}'`);
  const seconds = Math.max(1, Math.ceil(s.data / (90 * MiB)));
  let size: number;
  if (pbs) {
    body.push(`Starting backup: ${s.target}`, `Client name: ${input.node}`);
    body.push(`Upload directory '/mnt/vzsnap0' to 'root@pam@pbs01:8007:datastore1' as root.pxar.didx`);
    body.push(seconds * 1000);
    const uploaded = Math.round(s.data * (input.incremental ? 0.03 : 0.4));
    body.push(
      `root.pxar: had to backup ${renderBytes(uploaded)} of ${renderBytes(s.data)} (compressed ${renderBytes(uploaded * 0.3)}) in ${seconds}.00 s (average ${renderBytes(uploaded / seconds)}/s)`,
    );
    body.push(`Duration: ${seconds + 1}.00s`);
    size = s.data;
  } else {
    body.push(seconds * 1000);
    const human = `${(s.data / GiB).toFixed(1)}GiB`;
    body.push(`Total bytes written: ${s.data} (${human}, ${Math.round(s.data / MiB / seconds)}MiB/s)`);
    size = Math.round(s.data * 0.38);
    body.push(`archive file size: ${formatSize(size)}`);
  }
  if (s.mode === 'snapshot') body.push(`cleanup temporary 'vzdump' snapshot`);
  if (s.running && s.mode === 'stop') {
    body.push(
      'restarting vm',
      2_000,
      { effect: 'start' },
      `guest is online again after ${seconds + 7} seconds`,
    );
  }
  return size;
}
