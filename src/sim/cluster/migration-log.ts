// The progress lines QemuMigrate.pm prints while RAM and disks move, so clients can show percent.
import { formatBytes, formatDuration, GiB, MiB } from './log-format.js';
import type { SimTask } from './sim-task.js';

/** Simulated transfer rates: RAM over the migration network, disks via NBD / qemu-img. */
export const RATES = { ramBytesPerSec: 118 * MiB, diskBytesPerSec: 1.5 * GiB } as const;
const MAX_PROGRESS_LINES = 20;

/** `migration active, transferred 512.0 MiB of 2.0 GiB VM-state, 118.3 MiB/s` until done. */
export async function transferRam(task: SimTask, ramBytes: number, afterStep: () => void): Promise<number> {
  const seconds = Math.max(2, ramBytes / RATES.ramBytesPerSec);
  const steps = Math.min(MAX_PROGRESS_LINES, Math.ceil(seconds));
  for (let step = 1; step <= steps; step += 1) {
    await task.sleep((seconds / steps) * 1000);
    afterStep();
    if (step === Math.ceil(steps / 2)) task.failurePoint();
    const transferred = Math.min(ramBytes, (ramBytes * step) / steps);
    const rate = RATES.ramBytesPerSec * (0.95 + ((step * 37) % 10) / 100);
    if (step < steps) {
      task.logStamped(
        `migration active, transferred ${formatBytes(transferred)} of ${formatBytes(ramBytes)} VM-state, ${formatBytes(rate)}/s`,
      );
    }
  }
  return seconds;
}

/** drive-mirror progress: `drive-scsi0: transferred 1.0 GiB of 32.0 GiB (3.12%) in 1s`. */
export async function mirrorDisk(
  task: SimTask,
  prefix: string,
  sizeBytes: number,
  afterStep: () => void,
  stamped: boolean,
): Promise<void> {
  const seconds = Math.max(2, sizeBytes / RATES.diskBytesPerSec);
  const steps = Math.min(MAX_PROGRESS_LINES, Math.ceil(seconds));
  const write = (line: string) => (stamped ? task.logStamped(line) : task.log(line));
  for (let step = 1; step <= steps; step += 1) {
    await task.sleep((seconds / steps) * 1000);
    afterStep();
    if (step === Math.ceil(steps / 2)) task.failurePoint();
    const done = (sizeBytes * step) / steps;
    const percent = ((done / sizeBytes) * 100).toFixed(2);
    const elapsed = Math.round((seconds * step) / steps);
    const suffix = step === steps ? ', ready' : '';
    write(
      `${prefix}transferred ${formatBytes(done)} of ${formatBytes(sizeBytes)} (${percent}%) in ${elapsed}s${suffix}`,
    );
  }
}

export function durationText(task: SimTask): string {
  return formatDuration(task.simSeconds);
}
