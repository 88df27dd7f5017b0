// PVE_CLUSTERS_FILE: a PVE client (and, for a process that runs the worker, SSH) per cluster, by
// the file's names. The first cluster's are the process's default ones (config.pve, config.ssh),
// made by the caller, so one cluster configured either way behaves the same.
import type { AppConfig } from '../config.js';
import type { Logger } from '../logger.js';
import { clientFromConfig } from '../proxmox/client-from-config.js';
import type { ProxmoxClient } from '../proxmox/proxmox-client.js';
import type { PveRequestListener } from '../proxmox/request-observer.js';
import { SshRunner } from '../proxmox/ssh/ssh-runner.js';
import type { ClusterConnections } from './start-chatops.js';

export function connectClusters(
  config: AppConfig,
  first: { pve: ProxmoxClient; ssh: SshRunner | undefined },
  options: { withSsh: boolean; logger: Logger; onRequest?: PveRequestListener },
): { clusters: ClusterConnections | undefined; close: () => Promise<void> } {
  if (!config.clusters) return { clusters: undefined, close: async () => {} };
  const clusters: ClusterConnections = config.clusters.map((c, i) => ({
    name: c.name,
    pve:
      i === 0
        ? first.pve
        : clientFromConfig(c.pve, options.logger, options.onRequest ? { onRequest: options.onRequest } : {}),
    ssh:
      i === 0
        ? first.ssh
        : options.withSsh && c.ssh
          ? SshRunner.fromConfig(c.ssh, options.logger)
          : undefined,
    pveUser: c.pve.tokenId,
  }));
  return {
    clusters,
    // The first cluster's are closed by their owner.
    close: async () => {
      await Promise.all(
        clusters.slice(1).map(async (c) => {
          await c.ssh?.close();
          await c.pve.close();
        }),
      );
    },
  };
}
