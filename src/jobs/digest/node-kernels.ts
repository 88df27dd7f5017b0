// The kernel a node runs and the ones it has installed, from /apt/versions alone (Sys.Audit):
// `RunningKernel` on the proxmox-ve entry is `uname -r`, and every installed kernel image is
// listed as `proxmox-kernel-<release>[-signed]` (`pve-kernel-…` before PVE 8).
import type { PackageVersion } from '../../proxmox/schemas/apt-schemas.js';
import { compareKernels, kernelReleaseOf } from '../upgrade/node-updates.js';

export function nodeKernels(versions: PackageVersion[]): { running?: string; installed: string[] } {
  const running = versions.find((v) => v.Package === 'proxmox-ve')?.RunningKernel;
  const releases = versions
    .filter((v) => v.CurrentState === undefined || v.CurrentState === 'Installed')
    .flatMap((v) => kernelReleaseOf(v.Package) ?? []);
  const installed = [...new Set(releases)].sort(compareKernels);
  return running === undefined ? { installed } : { running, installed };
}
