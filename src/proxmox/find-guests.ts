import type { GuestResource } from './schemas/cluster-schemas.js';

/**
 * Every guest whose vmid or name matches `query` (names case-insensitively). All matches are
 * returned so the caller can report an ambiguous name with the candidates' ids; PVE does not
 * keep guest names unique.
 */
export function findGuests(resources: readonly GuestResource[], query: string): GuestResource[] {
  const wanted = query.trim();
  if (wanted === '') return [];
  const asId = /^\d+$/.test(wanted) ? Number(wanted) : undefined;
  const lower = wanted.toLowerCase();
  return resources.filter((guest) => guest.vmid === asId || guest.name?.toLowerCase() === lower);
}
