// What a vzdump task's log says, guest by guest (pve-manager PVE/VZDump.pm; the lines are quoted
// in test/conformance/pve/fixtures/backups/vzdump-task-log-*.json). The task's own exit status only
// says `OK` or `job errors`: which guest failed, with which words, which archive each guest got,
// how big and how long it took, are only in these lines. PVE writes no timestamps into the task
// log; every line starts with `INFO:`, `WARN:` or `ERROR:`.

export interface VzdumpGuestResult {
  vmid: number;
  /** `qemu` or `lxc`, from "Starting Backup of VM 100 (qemu)". */
  type?: string;
  /**
   * The archive as vzdump names it: a file path on a directory storage
   * (`/var/lib/vz/dump/vzdump-qemu-100-2026_04_14-02_00_02.vma.zst`), a snapshot on a Proxmox
   * Backup Server (`vm/100/2026-01-16T16:26:33Z`).
   */
  archive?: string;
  /** `file` (a directory storage) or `pbs`. */
  archiveKind?: 'file' | 'pbs';
  /** "archive file size: 2.31GB" on a directory storage, as PVE formats it. */
  size?: string;
  /** "transferred 628.00 MiB in 4 seconds (157.0 MiB/s)": what a PBS backup sent (also on dir storages). */
  transferred?: string;
  /** "Finished Backup of VM 100 (00:00:23)": hh:mm:ss. */
  duration?: string;
  /** PVE's words after "Backup of VM 100 failed - ". */
  error?: string;
  /** Seen "Finished Backup of VM …". */
  finished: boolean;
  /** The last progress percentage of this guest's backup (0..100). */
  percent?: number;
}

export interface VzdumpLog {
  /** Each guest in the order the log started it. */
  guests: VzdumpGuestResult[];
  /** The guest being backed up when the log ends (none once it finished or failed). */
  current?: number;
  /** "Backup job finished successfully" or "… with errors". */
  finished?: 'successfully' | 'with errors';
  /** `TASK ERROR: …` other than `job errors`: the whole job failed (a storage problem), PVE's words. */
  jobError?: string;
}

const STARTING = /^INFO: Starting Backup of VM (\d+) \((\w+)\)/;
const FINISHED = /^INFO: Finished Backup of VM (\d+) \((\d+:\d\d:\d\d)\)/;
const FAILED = /^ERROR: Backup of VM (\d+) failed - (.*)$/;
const FILE_ARCHIVE = /^INFO: creating vzdump archive '([^']+)'/;
const PBS_ARCHIVE = /^INFO: creating Proxmox Backup Server archive '([^']+)'/;
const SIZE = /^INFO: archive file size: (\S+)/;
const TRANSFERRED = /^INFO: transferred (\d+(?:\.\d+)? \S+) in (\d+) seconds?/;
/** `INFO:  54% (17.4 GiB of 32.0 GiB) in 12s, read: …` (the percent right-aligned on 3 places). */
const PROGRESS = /^INFO:\s+(\d{1,3})% \(/;
const JOB_END = /^INFO: Backup job finished (successfully|with errors)/;
const TASK_ERROR = /^TASK ERROR: (.*)$/;

/** The percentage a vzdump progress line reports, if it is one (0..100). */
export function vzdumpPercent(line: string): number | undefined {
  const match = PROGRESS.exec(line);
  return match ? Math.min(100, Number(match[1])) : undefined;
}

export function parseVzdumpLog(lines: readonly string[]): VzdumpLog {
  const guests = new Map<number, VzdumpGuestResult>();
  const log: VzdumpLog = { guests: [] };
  let current: VzdumpGuestResult | undefined;
  const guest = (vmid: number): VzdumpGuestResult => {
    let own = guests.get(vmid);
    if (!own) {
      own = { vmid, finished: false };
      guests.set(vmid, own);
    }
    return own;
  };
  for (const line of lines) {
    let m = STARTING.exec(line);
    if (m) {
      current = guest(Number(m[1]));
      current.type = m[2]!;
      continue;
    }
    m = FAILED.exec(line);
    if (m) {
      guest(Number(m[1])).error = m[2]!.trim();
      if (current?.vmid === Number(m[1])) current = undefined;
      continue;
    }
    m = FINISHED.exec(line);
    if (m) {
      const own = guest(Number(m[1]));
      own.finished = true;
      own.duration = m[2]!;
      if (current?.vmid === own.vmid) current = undefined;
      continue;
    }
    m = JOB_END.exec(line);
    if (m) {
      log.finished = m[1] as 'successfully' | 'with errors';
      continue;
    }
    m = TASK_ERROR.exec(line);
    if (m) {
      if (m[1] !== 'job errors') log.jobError = m[1]!.trim();
      continue;
    }
    if (!current) continue;
    const percent = vzdumpPercent(line);
    if (percent !== undefined) {
      current.percent = percent;
      continue;
    }
    const file = FILE_ARCHIVE.exec(line);
    const pbs = PBS_ARCHIVE.exec(line);
    const size = SIZE.exec(line);
    const transferred = TRANSFERRED.exec(line);
    if (file) {
      current.archive = file[1]!;
      current.archiveKind = 'file';
    } else if (pbs) {
      current.archive = pbs[1]!;
      current.archiveKind = 'pbs';
    } else if (size) current.size = size[1]!;
    else if (transferred) current.transferred = transferred[1]!;
  }
  log.guests = [...guests.values()];
  if (current) log.current = current.vmid;
  return log;
}

/** The archive's file name (a directory storage's path shortened to what `/pve backups` lists). */
export function archiveName(archive: string): string {
  return archive.startsWith('/') ? (archive.split('/').at(-1) ?? archive) : archive;
}

/**
 * How far a task for `total` guests is: guests done, plus the current guest's percentage, as one
 * percentage of the whole (undefined before the first guest starts).
 */
export function vzdumpOverallPercent(log: VzdumpLog, total: number): number | undefined {
  if (total <= 0 || log.guests.length === 0) return undefined;
  const done = log.guests.filter((g) => g.finished || g.error !== undefined).length;
  const running = log.guests.find((g) => g.vmid === log.current);
  const part = running?.percent === undefined ? 0 : running.percent / 100;
  return Math.min(100, Math.round(((done + part) / total) * 1000) / 10);
}
