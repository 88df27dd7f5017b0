import { pvePath } from './pve-path.js';

/** Enough to address a guest in the API: a `/cluster/resources` vm entry satisfies it. */
export interface GuestRef {
  type: 'qemu' | 'lxc';
  vmid: number;
  node: string;
}

/** `/nodes/{node}/{qemu|lxc}/{vmid}` */
export function guestPath(guest: GuestRef): string {
  return pvePath`/nodes/${guest.node}/${guest.type}/${guest.vmid}`;
}
