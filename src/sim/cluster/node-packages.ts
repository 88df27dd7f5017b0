// Package versions of a PVE 9.1 node (Debian 13 "trixie") and the updates pending on it, as
// GET /nodes/{node}/apt/update and /apt/versions report them.
import type { AptPackage } from './cluster-model.js';

export const RUNNING_KERNEL = '6.17.2-1-pve';
export const NEW_KERNEL = '6.17.4-1-pve';
export const MANAGER_VERSION = '9.1.3';
/**
 * The build's repoid, the 16-hex prefix of the pve-manager commit "bump version to <version>",
 * as /version, pveversion and ManagerVersion report it.
 */
const MANAGER_REPOIDS: Readonly<Record<string, string>> = {
  '9.1.3': '5829c814947b3364',
  '9.1.4': '5ac30304265fbd8e',
  '8.4.21': '2606ac850d46da29',
};

export function managerRepoid(version: string): string {
  return MANAGER_REPOIDS[version] ?? '5829c814947b3364';
}

/** What /apt/versions lists, with the versions a freshly installed 9.1.3 node has. */
export const INSTALLED_VERSIONS: ReadonlyArray<readonly [string, string]> = [
  ['proxmox-ve', '9.1.0'],
  ['pve-manager', MANAGER_VERSION],
  [`proxmox-kernel-${RUNNING_KERNEL}-signed`, '6.17.2-1'],
  // The meta-package that pulls in each new 6.17 build (upgraded, the new image is newly installed).
  ['proxmox-kernel-6.17', '6.17.2-1'],
  ['proxmox-kernel-helper', '9.0.4'],
  ['corosync', '3.1.9-pve2'],
  ['criu', '4.1.1-1'],
  ['ifupdown2', '3.3.0-1+pmx10'],
  ['ksm-control-daemon', '1.5-1'],
  ['libjs-extjs', '7.0.0-5'],
  ['libknet1', '1.30-pve2'],
  ['libproxmox-acme-perl', '1.7.0'],
  ['libproxmox-rs-perl', '0.4.1'],
  ['libpve-access-control', '9.0.4'],
  ['libpve-cluster-api-perl', '9.0.7'],
  ['libpve-cluster-perl', '9.0.7'],
  ['libpve-common-perl', '9.1.1'],
  ['libpve-guest-common-perl', '6.0.2'],
  ['libpve-http-server-perl', '6.0.5'],
  ['libpve-network-perl', '1.2.3'],
  ['libpve-rs-perl', '0.11.3'],
  ['libpve-storage-perl', '9.1.0'],
  ['lvm2', '2.03.31-2+pmx1'],
  ['lxc-pve', '6.0.5-3'],
  ['lxcfs', '6.0.4-pve1'],
  ['novnc-pve', '1.6.0-3'],
  ['proxmox-backup-client', '4.1.0-1'],
  ['proxmox-firewall', '1.2.1'],
  ['proxmox-widget-toolkit', '5.1.2'],
  ['pve-cluster', '9.0.7'],
  ['pve-container', '6.0.18'],
  ['pve-docs', '9.1.1'],
  ['pve-edk2-firmware', '4.2025.05-2'],
  ['pve-firewall', '6.0.4'],
  ['pve-firmware', '3.17-2'],
  ['pve-ha-manager', '5.0.8'],
  ['pve-i18n', '3.6.2'],
  ['pve-qemu-kvm', '10.1.2-4'],
  ['pve-xtermjs', '5.5.0-3'],
  ['qemu-server', '9.1.0'],
  ['smartmontools', '7.4-pve1'],
  ['spiceterm', '3.4.1'],
  ['swtpm', '0.8.0+pve3'],
  ['vncterm', '1.9.1'],
  ['zfsutils-linux', '2.3.4-pve1'],
];

/**
 * Packages of /apt/versions' fixed list that a node does not have installed, with their
 * candidate: listed with CurrentState NotInstalled and no OldVersion (pve-manager APT.pm versions).
 */
export const NOT_INSTALLED_CANDIDATES: ReadonlyArray<readonly [string, string]> = [
  ['ceph-fuse', '19.2.3-pve2'],
];

interface Update {
  name: string;
  version: string;
  title: string;
  section: string;
}

// The updates every node has, and extra ones only some nodes have (nodes are rarely in step).
const COMMON: Update[] = [
  {
    name: 'pve-manager',
    version: '9.1.4',
    title: 'Proxmox Virtual Environment Management Tools',
    section: 'admin',
  },
  { name: 'libpve-common-perl', version: '9.1.2', title: 'Proxmox VE base library', section: 'perl' },
  {
    name: 'libpve-storage-perl',
    version: '9.1.1',
    title: 'Proxmox VE storage management library',
    section: 'perl',
  },
  {
    name: `proxmox-kernel-${NEW_KERNEL}-signed`,
    version: '6.17.4-1',
    title: 'Proxmox Kernel Image (signed)',
    section: 'kernel',
  },
  {
    name: 'proxmox-kernel-6.17',
    version: '6.17.4-1',
    title: 'Latest Proxmox Kernel Image',
    section: 'kernel',
  },
];
const VARYING: Update[] = [
  { name: 'qemu-server', version: '9.1.1', title: 'Qemu Server Tools', section: 'admin' },
  {
    name: 'pve-container',
    version: '6.0.19',
    title: 'Proxmox VE Container management tool',
    section: 'perl',
  },
  {
    name: 'libpve-access-control',
    version: '9.0.5',
    title: 'Proxmox VE access control library',
    section: 'perl',
  },
  { name: 'pve-ha-manager', version: '5.0.9', title: 'Proxmox VE HA Manager', section: 'perl' },
  {
    name: 'libpve-http-server-perl',
    version: '6.0.6',
    title: 'Proxmox Asynchrounous HTTP Server Implementation',
    section: 'perl',
  },
];

/** Node 0 gets the common set plus one varying package, node 1 two, and so on. */
export function pendingUpdatesFor(nodeIndex: number, installed: ReadonlyMap<string, string>): AptPackage[] {
  const extra = VARYING.filter((_, index) => index <= nodeIndex % VARYING.length);
  return [...COMMON, ...extra].map((update) => {
    const old = installed.get(update.name);
    return {
      Package: update.name,
      Title: update.title,
      Description: `${update.title}.`,
      Version: update.version,
      // A newly required package (the next kernel image) is not installed: no OldVersion.
      ...(old === undefined ? {} : { OldVersion: old }),
      Origin: 'Proxmox',
      Priority: update.section === 'kernel' ? 'optional' : 'important',
      Section: update.section,
      Arch: 'amd64',
    };
  });
}
