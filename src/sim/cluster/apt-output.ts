// What apt-get prints on a PVE 9.1 node, as scripts of lines with the simulated time before
// each: `apt-get update` (the SSH command and the aptupdate task's log) and a non-interactive
// `dist-upgrade` with dpkg's unpack and setup lines, the new kernel's postinst hooks, and the
// pveproxy restart pve-manager's postinst does.
import type { AptPackage, SimNode } from './cluster-model.js';
import { installedKernels, kernelOfPackage, upgradeSets } from './node-upgrade.js';

export const APT_SOURCES = [
  'http://deb.debian.org/debian trixie InRelease',
  'http://deb.debian.org/debian trixie-updates InRelease',
  'http://security.debian.org/debian-security trixie-security InRelease',
  'http://download.proxmox.com/debian/pve trixie InRelease',
  'http://download.proxmox.com/debian/ceph-squid trixie InRelease',
] as const;

/** One `Hit:`/`Get:` line per source, as `apt-get update` prints while it checks them. */
export function aptSourceLines(): string[] {
  return APT_SOURCES.map((source, index) =>
    index % 2 === 0
      ? `Hit:${index + 1} ${source}`
      : `Get:${index + 1} ${source} [${47 + index * 13}.${index} kB]`,
  );
}

/** What `apt-get update` prints after the sources: the one index that changed, and the end. */
export const APT_UPDATE_TAIL = [
  'Get:6 http://download.proxmox.com/debian/pve trixie/pve-no-subscription amd64 Packages [312 kB]',
  'Fetched 471 kB in 2s (235 kB/s)',
  'Reading package lists...',
] as const;

/** Simulated (real-time) durations of the apt steps that take noticeable time. */
export const APT_TIMINGS = {
  perSourceMs: 600,
  readListsMs: 400,
  downloadBytesPerSec: 12_500_000,
  unpackMs: 350,
  unpackKernelMs: 4_000,
  setupMs: 250,
  initramfsMs: 7_000,
  grubMs: 3_500,
  pveproxyRestartMs: 2_500,
} as const;

export type AptStep =
  | { kind: 'line'; stream: 'out' | 'err'; text: string; delayMs: number }
  /** pveproxy stops (false) or listens again (true), as `systemctl restart pveproxy` does. */
  | { kind: 'pveproxy'; running: boolean; delayMs: number };

export interface AptScript {
  steps: AptStep[];
  exitCode: number;
}

class ScriptWriter {
  readonly steps: AptStep[] = [];
  out(text: string, delayMs = 0): void {
    this.steps.push({ kind: 'line', stream: 'out', text, delayMs });
  }
  err(text: string, delayMs = 0): void {
    this.steps.push({ kind: 'line', stream: 'err', text, delayMs });
  }
  pveproxy(running: boolean, delayMs = 0): void {
    this.steps.push({ kind: 'pveproxy', running, delayMs });
  }
}

export function aptUpdateScript(): AptScript {
  const script = new ScriptWriter();
  for (const line of aptSourceLines()) script.out(line, APT_TIMINGS.perSourceMs);
  const [index, fetched, reading] = APT_UPDATE_TAIL;
  script.out(index, 500);
  script.out(fetched, 100);
  script.out(reading, APT_TIMINGS.readListsMs);
  return { steps: script.steps, exitCode: 0 };
}

/** apt's SizeToStr: SI units, 3–4 significant digits, thousands grouped (`2,757 k`, `11.2 k`). */
export function aptSize(bytes: number): string {
  const units = ['', 'k', 'M', 'G', 'T'];
  let size = bytes;
  for (let unit = 0; unit < units.length; unit += 1) {
    if (size < 100 && unit !== 0) return `${size.toFixed(1)} ${units[unit]}B`;
    if (size < 10_000) return `${Math.round(size).toLocaleString('en-US')} ${units[unit]}B`;
    size /= 1000;
  }
  return `${Math.round(size).toLocaleString('en-US')} PB`;
}

/** A stable, plausible .deb size per package (kernel images are the big ones). */
function debSize(pkg: AptPackage): number {
  if (kernelOfPackage(pkg.Package) && pkg.Package.endsWith('-signed')) return 103_884_212;
  if (pkg.Section === 'kernel') return 11_160;
  let hash = 0;
  for (const char of pkg.Package) hash = (hash * 31 + char.charCodeAt(0)) % 1_000_003;
  return 60_000 + (hash % 840_000);
}

function debArch(pkg: AptPackage): string {
  return pkg.Section === 'perl' ? 'all' : 'amd64';
}

/** `  pkg-a pkg-b …` wrapped at 80 columns, as apt lists packages. */
function packageList(names: string[]): string[] {
  const lines: string[] = [];
  let line = ' ';
  for (const name of names) {
    if (line.length + 1 + name.length > 79 && line.trim() !== '') {
      lines.push(line);
      line = ' ';
    }
    line += ` ${name}`;
  }
  if (line.trim() !== '') lines.push(line);
  return lines;
}

function seconds(bytes: number): number {
  return Math.max(1, Math.round(bytes / APT_TIMINGS.downloadBytesPerSec));
}

/** The kernel's /etc/kernel/postinst.d hooks: initramfs, proxmox-boot sync, update-grub. */
function kernelPostinst(script: ScriptWriter, node: SimNode, kernel: string): void {
  const image = `/boot/vmlinuz-${kernel}`;
  script.out('Examining /etc/kernel/postinst.d.', 200);
  script.out(`run-parts: executing /etc/kernel/postinst.d/initramfs-tools ${kernel} ${image}`);
  script.out(`update-initramfs: Generating /boot/initrd.img-${kernel}`, 200);
  script.out(
    `run-parts: executing /etc/kernel/postinst.d/proxmox-auto-removal ${kernel} ${image}`,
    APT_TIMINGS.initramfsMs,
  );
  script.out(`run-parts: executing /etc/kernel/postinst.d/zz-proxmox-boot ${kernel} ${image}`, 300);
  script.out("Re-executing '/etc/kernel/postinst.d/zz-proxmox-boot' in new private mount namespace..");
  script.out('No /etc/kernel/proxmox-boot-uuids found, skipping ESP sync.', 200);
  script.out(`run-parts: executing /etc/kernel/postinst.d/zz-update-grub ${kernel} ${image}`);
  script.out('Generating grub configuration file ...', 200);
  const kernels = [...new Set([kernel, ...installedKernels(node)])];
  for (const [index, found] of kernels.entries()) {
    script.out(`Found linux image: /boot/vmlinuz-${found}`, index === 0 ? APT_TIMINGS.grubMs / 2 : 300);
    script.out(`Found initrd image: /boot/initrd.img-${found}`);
  }
  script.out('Found memtest86+ 64bit EFI image: /boot/memtest86+x64.efi', 300);
  script.out('Adding boot menu entry for UEFI Firmware Settings ...', APT_TIMINGS.grubMs / 2);
  script.out('done', 200);
}

/** Packages whose upgrade fires pve-manager's `pve-api-updates` trigger (pveproxy reloads its code). */
function touchesApi(name: string): boolean {
  return /^(pve-manager|libpve-|pve-|qemu-server|libproxmox-)/.test(name);
}

/**
 * `DEBIAN_FRONTEND=noninteractive apt-get -y … dist-upgrade` on the node as it is now. With
 * `failure`, dpkg fails to configure pve-manager (or the last package), by default because its
 * postinst failed: the rest goes on, and apt ends `E: Sub-process /usr/bin/dpkg returned an
 * error code (1)`, exit 100.
 */
export function distUpgradeScript(node: SimNode, failure?: { message?: string }): AptScript {
  const script = new ScriptWriter();
  script.out('Reading package lists...', APT_TIMINGS.readListsMs);
  script.out('Building dependency tree...', 300);
  script.out('Reading state information...', 200);
  script.out('Calculating upgrade...', 600);
  const { upgraded, fresh } = upgradeSets(node);
  const notUpgraded = '0 to remove and 0 not upgraded.';
  if (upgraded.length + fresh.length === 0) {
    script.out(`0 upgraded, 0 newly installed, ${notUpgraded}`, 100);
    return { steps: script.steps, exitCode: 0 };
  }
  if (fresh.length > 0) {
    script.out('The following NEW packages will be installed:');
    for (const line of packageList(fresh.map((pkg) => pkg.Package))) script.out(line);
  }
  if (upgraded.length > 0) {
    script.out('The following packages will be upgraded:');
    for (const line of packageList(upgraded.map((pkg) => pkg.Package))) script.out(line);
  }
  const all = [...fresh, ...upgraded];
  const total = all.reduce((sum, pkg) => sum + debSize(pkg), 0);
  script.out(`${upgraded.length} upgraded, ${fresh.length} newly installed, ${notUpgraded}`);
  script.out(`Need to get ${aptSize(total)} of archives.`);
  script.out(
    `After this operation, ${aptSize(fresh.length * 579_000_000 + 1_200_000)} of additional disk space will be used.`,
  );
  for (const [index, pkg] of all.entries()) {
    const size = debSize(pkg);
    script.out(
      `Get:${index + 1} http://download.proxmox.com/debian/pve trixie/pve-no-subscription amd64 ${pkg.Package} ${debArch(pkg)} ${pkg.Version} [${aptSize(size)}]`,
      150 + (size / APT_TIMINGS.downloadBytesPerSec) * 1000,
    );
  }
  const took = seconds(total);
  script.out(`Fetched ${aptSize(total)} in ${took}s (${aptSize(total / took)}/s)`, 100);

  script.out('(Reading database ... 78512 files and directories currently installed.)', 500);
  for (const [index, pkg] of all.entries()) {
    const deb = `${String(index).padStart(2, '0')}-${pkg.Package}_${pkg.Version}_${debArch(pkg)}.deb`;
    const isNew = !node.installed.has(pkg.Package);
    if (isNew) script.out(`Selecting previously unselected package ${pkg.Package}.`);
    script.out(`Preparing to unpack .../${deb} ...`, 100);
    const unpackMs =
      pkg.Section === 'kernel' && debSize(pkg) > 1_000_000
        ? APT_TIMINGS.unpackKernelMs
        : APT_TIMINGS.unpackMs;
    script.out(
      isNew
        ? `Unpacking ${pkg.Package} (${pkg.Version}) ...`
        : `Unpacking ${pkg.Package} (${pkg.Version}) over (${node.installed.get(pkg.Package)}) ...`,
      unpackMs,
    );
  }

  // dpkg configures the kernel first (the meta-package depends on it) and pve-manager last.
  const order = [...all].sort((a, b) => setupRank(a) - setupRank(b) || a.Package.localeCompare(b.Package));
  const failing =
    failure === undefined ? undefined : (order.find((pkg) => pkg.Package === 'pve-manager') ?? order.at(-1));
  let restarted = false;
  for (const pkg of order) {
    script.out(`Setting up ${pkg.Package} (${pkg.Version}) ...`, APT_TIMINGS.setupMs);
    if (pkg === failing) {
      script.err(`dpkg: error processing package ${pkg.Package} (--configure):`, 800);
      script.err(
        ` ${failure?.message ?? `installed ${pkg.Package} package post-installation script subprocess returned error exit status 1`}`,
      );
      continue;
    }
    const kernel = kernelOfPackage(pkg.Package);
    if (kernel && pkg.Package.endsWith('-signed')) kernelPostinst(script, node, kernel);
    if (pkg.Package === 'pve-manager') {
      restartPveproxy(script);
      restarted = true;
    }
  }
  script.out('Processing triggers for man-db (2.13.1-1) ...', 900);
  const manager = all.find((pkg) => pkg.Package === 'pve-manager');
  if (all.some((pkg) => touchesApi(pkg.Package)) && failing?.Package !== 'pve-manager') {
    script.out(`Processing triggers for pve-manager (${manager?.Version ?? node.managerVersion}) ...`, 200);
    if (!restarted) restartPveproxy(script);
  }
  if (failing) {
    script.err('Errors were encountered while processing:', 100);
    script.err(` ${failing.Package}`);
    script.err('E: Sub-process /usr/bin/dpkg returned an error code (1)');
    return { steps: script.steps, exitCode: 100 };
  }
  return { steps: script.steps, exitCode: 0 };
}

function setupRank(pkg: AptPackage): number {
  if (kernelOfPackage(pkg.Package) && pkg.Package.endsWith('-signed')) return 0;
  if (pkg.Section === 'kernel') return 1;
  if (pkg.Package === 'pve-manager') return 3;
  return 2;
}

/** `deb-systemd-invoke reload-or-restart pveproxy …`: refused connections for a moment. */
function restartPveproxy(script: ScriptWriter): void {
  script.pveproxy(false, 300);
  script.pveproxy(true, APT_TIMINGS.pveproxyRestartMs);
}
