import { setTimeout as sleep } from 'node:timers/promises';
import type { ProxmoxClient } from '../../proxmox/proxmox-client.js';

const POLL_MS = 1000;

/** Polls `/cluster/resources` until the guest reports the status (HA acts after its task ends). */
export async function waitForGuestStatus(
  pve: ProxmoxClient,
  vmid: number,
  status: 'running' | 'stopped',
  signal: AbortSignal,
): Promise<{ status: string; node: string }> {
  for (;;) {
    const guest = (await pve.clusterResources('vm', signal)).find((entry) => entry.vmid === vmid);
    if (guest?.status === status) return { status: guest.status, node: guest.node };
    await sleep(POLL_MS, undefined, { signal });
  }
}
