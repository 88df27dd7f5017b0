// What the API says about one node's packages, reduced to what an on-call engineer decides on:
// how many updates, whether a kernel or pve-manager is among them, and whether the node will need
// a reboot (a new kernel pending, or one installed but not yet running).
import type { PackageVersion, PendingUpdate } from '../../proxmox/schemas/apt-schemas.js';

export interface NodeUpdates {
  node: string;
  packages: Array<{ name: string; from?: string; to: string }>;
  /** Set when the kernel that would run after a reboot is not the one running now. */
  kernel?: { running: string; next: string };
  manager?: { from: string; to: string };
  rebootNeeded: boolean;
}

/** `proxmox-kernel-6.17.4-1-pve-signed` → `6.17.4-1-pve` (also the older `pve-kernel-…` names). */
export function kernelReleaseOf(packageName: string): string | undefined {
  return /^(?:proxmox|pve)-kernel-(\d+\.\d+[\w.-]*-pve)(?:-signed)?$/.exec(packageName)?.[1];
}

/** Newest first, comparing the numeric parts (`6.17.10-1-pve` after `6.17.4-1-pve`). */
export function compareKernels(a: string, b: string): number {
  const parts = (release: string) => release.split(/[.-]/).map((part) => Number.parseInt(part, 10) || 0);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const difference = (y[i] ?? 0) - (x[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

export function summarizeNodeUpdates(
  node: string,
  pending: PendingUpdate[],
  versions: PackageVersion[],
  runningKernel: string | undefined,
): NodeUpdates {
  const packages = pending
    .map((p) => ({ name: p.Package, ...(p.OldVersion ? { from: p.OldVersion } : {}), to: p.Version }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const running =
    runningKernel ?? versions.find((v) => v.Package === 'proxmox-ve')?.RunningKernel ?? undefined;
  const installed = versions
    .filter((v) => v.CurrentState === undefined || v.CurrentState === 'Installed')
    .map((v) => kernelReleaseOf(v.Package));
  const candidates = [...installed, ...pending.map((p) => kernelReleaseOf(p.Package))]
    .filter((release): release is string => release !== undefined)
    .sort(compareKernels);
  const next = candidates[0];
  const manager = pending.find((p) => p.Package === 'pve-manager');
  const kernel =
    running !== undefined && next !== undefined && next !== running ? { running, next } : undefined;
  return {
    node,
    packages,
    ...(kernel ? { kernel } : {}),
    ...(manager ? { manager: { from: manager.OldVersion ?? '?', to: manager.Version } } : {}),
    rebootNeeded: kernel !== undefined,
  };
}

/** One line per node: `node01: 7 updates, kernel 6.17.2-1-pve → 6.17.4-1-pve (reboot), pve-manager 9.1.3 → 9.1.4`. */
export function describeNodeUpdates(updates: NodeUpdates): string {
  const parts = [
    updates.packages.length === 0
      ? 'up to date'
      : `${updates.packages.length} update${updates.packages.length === 1 ? '' : 's'}`,
  ];
  if (updates.kernel) parts.push(`kernel ${updates.kernel.running} → ${updates.kernel.next}`);
  if (updates.manager) parts.push(`pve-manager ${updates.manager.from} → ${updates.manager.to}`);
  if (updates.rebootNeeded) parts.push('reboot needed');
  return `${updates.node}: ${parts.join(', ')}`;
}
