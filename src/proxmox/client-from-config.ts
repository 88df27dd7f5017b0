import type { PveConfig } from '../config.js';
import type { Logger } from '../logger.js';
import { ProxmoxClient } from './proxmox-client.js';
import type { PveRequestListener } from './request-observer.js';

/** The client as the validated environment describes it (PVE_HOSTS, the token, the TLS mode). */
export function clientFromConfig(
  pve: PveConfig,
  logger: Logger,
  extra: { onRequest?: PveRequestListener } = {},
): ProxmoxClient {
  const tls =
    pve.tls.mode === 'fingerprints'
      ? { fingerprints: pve.tls.fingerprints }
      : pve.tls.mode === 'ca'
        ? { caPem: pve.tls.caPem }
        : { insecureSkipTlsVerify: true };
  return new ProxmoxClient({
    hosts: pve.hosts,
    tokenId: pve.tokenId,
    tokenSecret: pve.tokenSecret,
    logger,
    ...tls,
    ...extra,
  });
}
