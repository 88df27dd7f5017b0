// The cluster's corosync node list as `pvecm add` needs it: addresses, certificate fingerprints
// and votes (Sys.Audit on /). A standalone node has no cluster config: PVE answers with an error.
import type { PveTransport } from './pve-transport.js';
import { type JoinInfo, joinInfoSchema } from './schemas/join-schemas.js';

export function getJoinInfo(transport: PveTransport, signal?: AbortSignal): Promise<JoinInfo> {
  return transport.request('GET', '/cluster/config/join', { schema: joinInfoSchema, signal });
}
