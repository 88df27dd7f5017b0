// Progress as PVE's own task logs show it. These parse log lines (task output), not error
// messages: the formats come from qemu-server, pve-storage and vzdump.

const UNIT: Record<string, number> = { B: 1, KiB: 2 ** 10, MiB: 2 ** 20, GiB: 2 ** 30, TiB: 2 ** 40 };

// qemu-server drive mirror / clone: "drive-scsi0: transferred 1.0 GiB of 32.0 GiB (3.12%) in 2s".
const PERCENT = /\((\d+(?:\.\d+)?)%\)/;
// QemuMigrate RAM phase: "migration active, transferred 1.2 GiB of 4.0 GiB VM-state, 1.1 GiB/s".
const TRANSFERRED =
  /transferred (\d+(?:\.\d+)?) ?(B|KiB|MiB|GiB|TiB) of (\d+(?:\.\d+)?) ?(B|KiB|MiB|GiB|TiB)/;

// vzdump: "INFO:  54% (17.4 GiB of 32.0 GiB) in 12s, read: 1.5 GiB/s, write: 198.7 MiB/s" (the
// percent leads the line; test/conformance/pve/fixtures/backups/vzdump-task-log-dir.9.json).
const VZDUMP = /^INFO:\s+(\d{1,3})% \(/;
// vzdump's summary "INFO: backup is sparse: 26.84 GiB (83%) total zero data" is a share of zeros,
// not progress.
const NOT_PROGRESS = /backup is sparse:/;

/** The percentage a log line reports, if any (0..100). */
export function progressFromLogLine(line: string): number | undefined {
  const vzdump = VZDUMP.exec(line);
  if (vzdump) return clamp(Number(vzdump[1]));
  if (NOT_PROGRESS.test(line)) return undefined;
  const percent = PERCENT.exec(line);
  if (percent) return clamp(Number(percent[1]));
  const transferred = TRANSFERRED.exec(line);
  if (transferred) {
    const done = Number(transferred[1]) * (UNIT[transferred[2]!] ?? 1);
    const total = Number(transferred[3]) * (UNIT[transferred[4]!] ?? 1);
    if (total > 0) return clamp((done / total) * 100);
  }
  return undefined;
}

function clamp(value: number): number {
  return Math.min(100, Math.max(0, Math.round(value * 100) / 100));
}
