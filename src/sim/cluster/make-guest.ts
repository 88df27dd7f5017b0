// Guests with realistic defaults: disk names as PVE allocates them, a Proxmox-OUI MAC address,
// and a typical load so metrics look alive while staying deterministic.
import type { GuestType, SimDisk, SimGuest } from './cluster-model.js';
import type { Random } from './seeded-random.js';

export interface GuestSpec {
  vmid: number;
  type: GuestType;
  name: string;
  node: string;
  running: boolean;
  memoryMiB: number;
  cores: number;
  storage: string;
  diskGiB: number;
  template?: boolean;
  onboot?: boolean;
  tags?: string;
  pool?: string;
  ostype?: string;
  /** QEMU: an ISO (or cloud-init volume) in `ide2`, e.g. `local:iso/debian-12.iso`. */
  cdrom?: string;
  /** QEMU: passed-through host devices by config key, e.g. `{ hostpci0: '0000:01:00.0' }`. */
  localDevices?: Record<string, string>;
}

const hexByte = (random: Random): string =>
  Math.floor(random() * 256)
    .toString(16)
    .toUpperCase()
    .padStart(2, '0');

export function randomMac(random: Random): string {
  return `BC:24:11:${hexByte(random)}:${hexByte(random)}:${hexByte(random)}`;
}

export function randomUuid(random: Random): string {
  const hex = Array.from({ length: 16 }, () => hexByte(random).toLowerCase()).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** `vm-100-disk-0`, or `base-9000-disk-0` once a guest is a template (qm template renames). */
export function diskVolume(vmid: number, index: number, template: boolean): string {
  return `${template ? 'base' : 'vm'}-${vmid}-disk-${index}`;
}

export function makeGuest(spec: GuestSpec, now: number, random: Random): SimGuest {
  const template = spec.template ?? false;
  const disk: SimDisk = {
    key: spec.type === 'qemu' ? 'scsi0' : 'rootfs',
    storage: spec.storage,
    volume: diskVolume(spec.vmid, 0, template),
    sizeGiB: spec.diskGiB,
  };
  const guest: SimGuest = {
    vmid: spec.vmid,
    type: spec.type,
    name: spec.name,
    node: spec.node,
    running: spec.running && !template,
    template,
    memoryMiB: spec.memoryMiB,
    cores: spec.cores,
    disks: [disk],
    mac: randomMac(random),
    onboot: spec.onboot ?? false,
    ostype: spec.ostype ?? (spec.type === 'qemu' ? 'l26' : 'debian'),
    load: {
      cpu: 0.01 + random() * 0.2,
      mem: 0.35 + random() * 0.4,
      netBytesPerSec: 2_000 + random() * 60_000,
      diskBytesPerSec: 5_000 + random() * 200_000,
    },
    uuid: randomUuid(random),
  };
  if (guest.running) guest.startedAt = now - Math.floor((1 + random() * 20) * 86_400_000);
  if (spec.tags) guest.tags = spec.tags;
  if (spec.pool) guest.pool = spec.pool;
  if (spec.cdrom) guest.cdroms = [{ key: 'ide2', volid: spec.cdrom }];
  if (spec.localDevices) guest.localDevices = { ...spec.localDevices };
  return guest;
}
