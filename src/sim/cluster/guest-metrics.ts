// Live-looking statistics for a guest, derived from its typical load and uptime (deterministic).
import type { SimGuest } from './cluster-model.js';
import { GiB, MiB } from './log-format.js';

export interface GuestMetrics {
  uptime: number;
  cpu: number;
  mem: number;
  maxmem: number;
  disk: number;
  maxdisk: number;
  netin: number;
  netout: number;
  diskread: number;
  diskwrite: number;
}

export function guestMetrics(guest: SimGuest, now: number): GuestMetrics {
  const maxmem = guest.memoryMiB * MiB;
  const maxdisk = (guest.disks[0]?.sizeGiB ?? 0) * GiB;
  if (!guest.running || guest.startedAt === undefined) {
    return {
      uptime: 0,
      cpu: 0,
      mem: 0,
      maxmem,
      disk: 0,
      maxdisk,
      netin: 0,
      netout: 0,
      diskread: 0,
      diskwrite: 0,
    };
  }
  const uptime = Math.max(0, Math.floor((now - guest.startedAt) / 1000));
  // A slow wave keeps successive reads from being identical without randomness.
  const wave = 1 + 0.15 * Math.sin(now / 60_000 + guest.vmid);
  const io = (rate: number) => Math.floor(rate * uptime);
  return {
    uptime,
    cpu: Number((guest.load.cpu * wave).toFixed(4)),
    mem: Math.floor(maxmem * guest.load.mem * wave * 0.9),
    maxmem,
    // QEMU reports 0 disk usage without the guest agent; containers know their filesystem.
    disk: guest.type === 'lxc' ? Math.floor(maxdisk * 0.31) : 0,
    maxdisk,
    netin: io(guest.load.netBytesPerSec),
    netout: io(guest.load.netBytesPerSec * 0.6),
    diskread: io(guest.load.diskBytesPerSec * 0.3),
    diskwrite: io(guest.load.diskBytesPerSec),
  };
}
