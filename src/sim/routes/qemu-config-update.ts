// PUT /nodes/{node}/qemu/{vmid}/config for drives, NICs, host devices and firmware, as qemu-server
// PVE/API2/Qemu.pm update_vm_api does it: a new disk (`<storage>:<GiB>`) or an existing volume
// (an ISO) goes through create_disks, every change is written to the pending section, then
// applied at once for a stopped VM (vmconfig_apply_pending) or hot-plugged for a running one
// (vmconfig_hotplug_pending, hotplug default `network,disk,usb`); what cannot be hot-plugged
// (`bios`, `hostpciN`) stays pending until the next start.
import type { SimCdrom, SimGuest, SimStorage } from '../cluster/cluster-model.js';
import type { SimCluster } from '../cluster/sim-cluster.js';
import { PveHttpError } from '../pve-http-error.js';
import type { SimRequest } from '../types.js';
import { optStr } from './request-params.js';

const DRIVE = /^(ide|sata|scsi|virtio)\d+$/;
/** PVE::QemuServer::Drive NEW_DISK_RE: `[<storage>:]<size in GiB>`. */
const NEW_DISK = /^(?:([^:\s]+):)?(\d+(?:\.\d+)?)$/;
/** The keys this simulator stores from a PUT …/config besides those guest-config.ts handles. */
const STORED = /^(bios|net\d+|hostpci\d+|usb\d+)$|^(ide|sata|scsi|virtio)\d+$/;
/** Not hot-pluggable with the default `hotplug` (network,disk,usb): pending while running. */
const COLD = /^(bios|hostpci\d+)$/;

export function isStoredKey(key: string): boolean {
  return STORED.test(key);
}

/** Applies the request's drive, NIC, host device and firmware keys to the VM. */
export function updateQemuDevices(cluster: SimCluster, guest: SimGuest, request: SimRequest): void {
  for (const key of Object.keys(request.params).filter(isStoredKey).sort()) {
    const value = optStr(request, key) ?? '';
    if (DRIVE.test(key)) {
      setDrive(cluster, guest, key, value);
    } else if (guest.running && COLD.test(key)) {
      guest.pending = { ...guest.pending, [key]: value };
    } else {
      setKey(guest, key, value);
    }
  }
}

/** vm_start: the pending changes become the config (vmconfig_apply_pending). */
export function applyPending(guest: SimGuest): void {
  for (const [key, value] of Object.entries(guest.pending ?? {})) setKey(guest, key, value);
  delete guest.pending;
}

function setKey(guest: SimGuest, key: string, value: string): void {
  if (/^(hostpci|usb)\d+$/.test(key)) guest.localDevices = { ...guest.localDevices, [key]: value };
  else guest.options = { ...guest.options, [key]: value };
}

function storageOf(cluster: SimCluster, guest: SimGuest, storeid: string): SimStorage {
  const storage = cluster.storages.find((candidate) => candidate.storage === storeid);
  if (!storage) throw PveHttpError.die(`storage '${storeid}' does not exist`);
  // PVE::Storage storage_check_enabled, by vdisk_alloc and activate_volumes.
  if (storage.nodes && !storage.nodes.includes(guest.node))
    throw PveHttpError.die(`storage '${storeid}' is not available on node '${guest.node}'`);
  return storage;
}

function setDrive(cluster: SimCluster, guest: SimGuest, key: string, value: string): void {
  const [file = '', ...rest] = value.split(',');
  const cdrom = rest.includes('media=cdrom');
  const withoutKey = <T extends { key: string }>(list: T[] | undefined) =>
    (list ?? []).filter((entry) => entry.key !== key);
  if (file === 'none' || file === 'cdrom' || file === '') {
    guest.cdroms = withoutKey(guest.cdroms);
    return;
  }
  const fresh = NEW_DISK.exec(file);
  if (fresh && !cdrom) {
    const storeid = fresh[1];
    if (!storeid) throw PveHttpError.die('no storage ID specified (and no default storage)');
    const storage = storageOf(cluster, guest, storeid);
    if (!storage.content.split(',').includes('images'))
      throw PveHttpError.die(`storage '${storeid}' does not support content-type 'images'`);
    // find_free_diskname: the first free vm-<vmid>-disk-<n> on that storage.
    const taken = new Set(guest.disks.filter((disk) => disk.storage === storeid).map((disk) => disk.volume));
    let index = 0;
    while (taken.has(`vm-${guest.vmid}-disk-${index}`)) index += 1;
    guest.disks = [
      ...withoutKey(guest.disks),
      { key, storage: storeid, volume: `vm-${guest.vmid}-disk-${index}`, sizeGiB: Number(fresh[2]) },
    ];
    return;
  }
  // An existing volume: its storage must know it; create_disks records its size.
  const [storeid = '', volname = ''] = file.split(/:(.*)/s);
  const storage = storageOf(cluster, guest, storeid);
  const vtype = volname.startsWith('iso/') ? 'iso' : 'images';
  if (vtype !== 'iso' || !cdrom)
    throw PveHttpError.die(`drive '${key}': the simulator attaches existing volumes only as ISO CD-ROMs`);
  if (!storage.content.split(',').includes('iso'))
    throw PveHttpError.die(`storage '${storeid}' does not support content-type 'iso'`);
  const size = storage.files?.[volname];
  if (!size) throw PveHttpError.die(`volume ${file} does not exist`);
  const medium: SimCdrom = { key, volid: file, size };
  guest.cdroms = [...withoutKey(guest.cdroms), medium];
}

/** A cdrom line of the config: `<volid>,media=cdrom[,size=784M]` (print_drive). */
export function cdromLine(cdrom: SimCdrom): string {
  return `${cdrom.volid},media=cdrom${cdrom.size ? `,size=${formatDiskSize(cdrom.size)}` : ''}`;
}

/** PVE::JSONSchema format_size: the largest unit of 1024 that divides the size exactly. */
export function formatDiskSize(bytes: number): string {
  let value = bytes;
  for (const unit of ['', 'K', 'M', 'G']) {
    if (value % 1024 !== 0) return `${value}${unit}`;
    value /= 1024;
  }
  return `${value}T`;
}
