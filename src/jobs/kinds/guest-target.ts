// The guest a job acts on, as the core resolved it at request time, and how jobs find it again
// when they start: the cluster may have changed since (the guest moved, or was removed).
import { z } from 'zod';
import type { ProxmoxClient } from '../../proxmox/proxmox-client.js';
import type { GuestResource } from '../../proxmox/schemas/cluster-schemas.js';
import { JobError, JobErrorCode } from '../job-error.js';
import type { LockTarget } from '../job-kind.js';

export const guestTargetSchema = z.object({
  vmid: z.number().int().min(100).max(999_999_999),
  type: z.enum(['qemu', 'lxc']),
  /** Where the guest was when the request was made. */
  node: z.string().min(1),
  name: z.string().optional(),
});
export type GuestTarget = z.infer<typeof guestTargetSchema>;

export function guestLabel(guest: { vmid: number; type: string; name?: string | undefined }): string {
  return guest.name ? `${guest.name} (${guest.type}/${guest.vmid})` : `${guest.type}/${guest.vmid}`;
}

export function guestLock(guest: GuestTarget): LockTarget {
  return { key: `guest:${guest.vmid}`, label: guestLabel(guest) };
}

/** The guest as PVE lists it now (one `/cluster/resources` read), or a clear error if it is gone. */
export async function locateGuest(
  pve: ProxmoxClient,
  guest: GuestTarget,
  signal?: AbortSignal,
): Promise<GuestResource> {
  const found = (await pve.clusterResources('vm', signal)).find((entry) => entry.vmid === guest.vmid);
  if (!found) {
    throw new JobError(JobErrorCode.Stale, `${guestLabel(guest)} no longer exists in the cluster`);
  }
  return found;
}
