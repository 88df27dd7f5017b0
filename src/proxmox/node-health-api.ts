// Per-node reads for a health check: the node's clock and its certificates (both Sys.Audit or
// less, both proxied to the node, so a node that is down answers 595).
import { pvePath } from './pve-path.js';
import type { PveTransport } from './pve-transport.js';
import { type CertificateInfo, certificateInfosSchema } from './schemas/certificate-schemas.js';
import { type NodeTime, nodeTimeSchema } from './schemas/node-time-schemas.js';

export function getNodeTime(transport: PveTransport, node: string, signal?: AbortSignal): Promise<NodeTime> {
  return transport.request('GET', pvePath`/nodes/${node}/time`, { schema: nodeTimeSchema, signal });
}

export function listNodeCertificates(
  transport: PveTransport,
  node: string,
  signal?: AbortSignal,
): Promise<CertificateInfo[]> {
  return transport.request('GET', pvePath`/nodes/${node}/certificates/info`, {
    schema: certificateInfosSchema,
    signal,
  });
}
