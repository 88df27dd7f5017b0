// HA resources (pve-ha-manager src/PVE/API2/HA/Resources.pm): which guests the HA stack manages (`ha-manager add/remove`).
// Adding or removing needs Sys.Console on `/`; both return null at once, and the CRM picks the
// change up in its next round (GET /cluster/ha/status/current shows when).
import { pvePath } from './pve-path.js';
import type { PveTransport } from './pve-transport.js';
import { nullSchema } from './schemas/guest-schemas.js';
import { type HaResourceEntry, haResourcesSchema } from './schemas/ha-schemas.js';

/** The requested state an added resource starts with. */
export type HaRequestedState = 'started' | 'stopped';

/** `vm:100` for a VM, `ct:200` for a container. */
export function haSidOf(guest: { type: 'qemu' | 'lxc'; vmid: number }): string {
  return `${guest.type === 'qemu' ? 'vm' : 'ct'}:${guest.vmid}`;
}

export function listHaResources(transport: PveTransport, signal?: AbortSignal): Promise<HaResourceEntry[]> {
  return transport.request('GET', '/cluster/ha/resources', { schema: haResourcesSchema, signal });
}

export async function addHaResource(
  transport: PveTransport,
  sid: string,
  state: HaRequestedState,
  signal?: AbortSignal,
): Promise<void> {
  await transport.request('POST', '/cluster/ha/resources', {
    params: { sid, state },
    schema: nullSchema,
    signal,
  });
}

export async function removeHaResource(
  transport: PveTransport,
  sid: string,
  signal?: AbortSignal,
): Promise<void> {
  await transport.request('DELETE', pvePath`/cluster/ha/resources/${sid}`, { schema: nullSchema, signal });
}
