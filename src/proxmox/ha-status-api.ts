// The HA stack's view of the cluster (pve-ha-manager src/PVE/API2/HA/Status.pm): one cluster-wide read, Sys.Audit on `/`.
import type { PveTransport } from './pve-transport.js';
import { type HaStatusEntry, haStatusSchema } from './schemas/ha-schemas.js';

export function getHaStatus(transport: PveTransport, signal?: AbortSignal): Promise<HaStatusEntry[]> {
  return transport.request('GET', '/cluster/ha/status/current', { schema: haStatusSchema, signal });
}
