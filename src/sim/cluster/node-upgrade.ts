// What a successful `apt-get dist-upgrade` leaves on a node: the pending packages installed, the
// new kernel the newest one (booted by the next reboot), /var/run/reboot-required, and the
// pve-manager version /version and /nodes/{node}/status report.
import type { AptPackage, SimNode } from './cluster-model.js';

/** `proxmox-kernel-6.17.4-1-pve-signed` → `6.17.4-1-pve`; undefined for other packages. */
export function kernelOfPackage(name: string): string | undefined {
  return /^proxmox-kernel-(\d+\.\d+\.\d+-\d+-pve)(?:-signed)?$/.exec(name)?.[1];
}

/** Orders kernel releases (`6.17.4-1-pve` after `6.17.2-1-pve`) by their numbers. */
export function compareKernels(a: string, b: string): number {
  const numbers = (release: string) => release.split(/[.-]/).map((part) => Number.parseInt(part, 10) || 0);
  const left = numbers(a);
  const right = numbers(b);
  for (let i = 0; i < Math.max(left.length, right.length); i += 1) {
    const diff = (left[i] ?? 0) - (right[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

/** The kernels installed on the node, newest first (what update-grub finds in /boot). */
export function installedKernels(node: SimNode): string[] {
  const kernels = [...node.installed.keys()].flatMap((name) => kernelOfPackage(name) ?? []);
  return [...new Set(kernels)].sort((a, b) => compareKernels(b, a));
}

/** The packages an upgrade brings in: upgraded ones have an installed version, new ones none. */
export function upgradeSets(node: SimNode): { upgraded: AptPackage[]; fresh: AptPackage[] } {
  const byName = [...node.pendingUpdates].sort((a, b) => a.Package.localeCompare(b.Package));
  return {
    upgraded: byName.filter((pkg) => node.installed.has(pkg.Package)),
    fresh: byName.filter((pkg) => !node.installed.has(pkg.Package)),
  };
}

/** Applies a dist-upgrade that went through: every pending package is installed. */
export function installPendingUpdates(node: SimNode): void {
  for (const pkg of node.pendingUpdates) {
    node.installed.set(pkg.Package, pkg.Version);
    if (pkg.Package === 'pve-manager') node.managerVersion = pkg.Version;
    const kernel = kernelOfPackage(pkg.Package);
    if (kernel && compareKernels(kernel, node.installedKernel) > 0) {
      node.installedKernel = kernel;
      // The kernel's postinst creates it; the running kernel stays the old one until a reboot.
      node.rebootRequired = true;
    }
  }
  node.pendingUpdates = [];
}
