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

/**
 * The one cluster's name as PVE has it, lower-cased (`moncluster`), for `--cluster` and policy
 * entries `<command>@<name>`. Read once at start, waiting at most 5 s: a bot starts whether or not
 * PVE answers, and then has no name for it.
 */
export async function pveClusterName(pve: ProxmoxClient, logger: Logger): Promise<string | undefined> {
  const timeout = AbortSignal.timeout(5_000);
  try {
    const name = (await pve.clusterStatus(timeout)).clusterName?.toLowerCase();
    return name && /^[a-z0-9][a-z0-9-]*$/.test(name) ? name : undefined;
  } catch (error) {
    logger.warn(
      { error: error instanceof Error ? error.message : String(error) },
      'cannot read the cluster name now; --cluster is not available',
    );
    return undefined;
  }
}

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
