// One cluster of the several one bot drives, as PVE_CLUSTERS_FILE describes it.
import type { PveConfig, SshConfig } from './config-types.js';

export interface ClusterConfig {
  /** What `--cluster` takes: 1 to 32 lower-case letters, digits and '-', unique in the file. */
  name: string;
  /** Its API endpoints, token and how their certificates are verified. */
  pve: PveConfig;
  /** Only the rolling upgrade needs it; absent when the cluster's entry has no `ssh:`. */
  ssh?: SshConfig;
}
