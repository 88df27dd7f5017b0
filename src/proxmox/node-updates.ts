// Package updates and node power through the API (pve-manager PVE/API2/APT.pm, PVE/API2/Nodes.pm).
// The API refreshes package lists and reports what is pending; it has no endpoint that installs
// upgrades (that goes over SSH, src/proxmox/ssh). Reading the pending list needs Sys.Modify, not
// only Sys.Audit (APT.pm list_updates).
import { pvePath } from './pve-path.js';
import type { PveTransport } from './pve-transport.js';
import {
  type PackageVersion,
  type PendingUpdate,
  packageVersionsSchema,
  pendingUpdatesSchema,
} from './schemas/apt-schemas.js';
import { nullSchema, upidSchema } from './schemas/guest-schemas.js';

/** `apt-get update` as an `aptupdate` task (empty id); returns its UPID. */
export function refreshPackageLists(
  transport: PveTransport,
  node: string,
  signal?: AbortSignal,
): Promise<string> {
  return transport.request('POST', pvePath`/nodes/${node}/apt/update`, { schema: upidSchema, signal });
}

export function listPendingUpdates(
  transport: PveTransport,
  node: string,
  signal?: AbortSignal,
): Promise<PendingUpdate[]> {
  return transport.request('GET', pvePath`/nodes/${node}/apt/update`, {
    schema: pendingUpdatesSchema,
    signal,
  });
}

export function listPackageVersions(
  transport: PveTransport,
  node: string,
  signal?: AbortSignal,
): Promise<PackageVersion[]> {
  return transport.request('GET', pvePath`/nodes/${node}/apt/versions`, {
    schema: packageVersionsSchema,
    signal,
  });
}

/**
 * Reboots or shuts a node down (Sys.PowerMgmt). PVE answers at once and acts two seconds later
 * (`(sleep 2; /sbin/reboot)&`), so the answer only says the request was taken.
 */
export async function requestNodePower(
  transport: PveTransport,
  node: string,
  command: 'reboot' | 'shutdown',
  signal?: AbortSignal,
): Promise<void> {
  await transport.request('POST', pvePath`/nodes/${node}/status`, {
    params: { command },
    schema: nullSchema,
    signal,
  });
}
