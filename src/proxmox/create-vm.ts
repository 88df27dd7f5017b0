// A new, empty QEMU VM (POST /nodes/{node}/qemu), as the guide makes TestVM: a virtio-scsi disk on
// an image storage, a virtio NIC on vmbr0, Linux as the OS type. Returns the `qmcreate` UPID.
import { pvePath } from './pve-path.js';
import type { PveTransport } from './pve-transport.js';
import { upidSchema } from './schemas/guest-schemas.js';

export interface CreateVmOptions {
  vmid: number;
  name: string;
  memoryMiB: number;
  cores: number;
  /** An image storage on the node and the disk size: `local-lvm`, 32. */
  storage: string;
  diskGiB: number;
  bridge?: string;
  start?: boolean;
  signal?: AbortSignal;
}

export function createVm(transport: PveTransport, node: string, options: CreateVmOptions): Promise<string> {
  return transport.request('POST', pvePath`/nodes/${node}/qemu`, {
    params: {
      vmid: options.vmid,
      name: options.name,
      memory: String(options.memoryMiB),
      cores: options.cores,
      ostype: 'l26',
      scsihw: 'virtio-scsi-single',
      scsi0: `${options.storage}:${options.diskGiB}`,
      net0: `virtio,bridge=${options.bridge ?? 'vmbr0'}`,
      start: options.start === true,
    },
    schema: upidSchema,
    signal: options.signal,
  });
}
