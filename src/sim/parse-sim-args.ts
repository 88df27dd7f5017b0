// `pve-chatops sim` options, checked before anything starts: a bad value names the option, what
// was given and what would be right.

import { parseArgs } from 'node:util';
import { MAX_SIM_CLUSTERS } from './start-simulators.js';
import type { PveVersion } from './types.js';

export interface SimArgs {
  /** How many simulated clusters (2: MonCluster and SRV-Cluster); absent when not given, i.e. 1. */
  clusters?: number;
  envFile?: string;
  caFile?: string;
  nodes: number;
  guests?: number;
  port: number;
  sshPort: number;
  speed: number;
  pveVersion: PveVersion;
  help: boolean;
}

export const SIM_USAGE = `Usage: pve-chatops sim [options]

Starts a simulated Proxmox VE cluster (MonCluster: node01, node02, … on 127.20.1.101, …): the
HTTPS API on every node, and an sshd that runs the commands of a rolling upgrade (apt-get update,
apt-get dist-upgrade, test -f /var/run/reboot-required, ha-manager node-maintenance).
With --clusters 2, a second one runs next to it (SRV-Cluster: srv01, srv02, … on 127.20.2.101, …)
with the same guests and its own certificates, token secret, sshd and users; the two share nothing.

Options:
  --clusters N     number of simulated clusters, 1 (default) or 2
  --env-file FILE  write PVE_HOSTS, PVE_TOKEN_ID, PVE_TOKEN_SECRET, PVE_FINGERPRINTS, SSH_USER,
                   SSH_PORT, SSH_KEY_FILE, SSH_KNOWN_HOSTS to FILE (mode 0600), with the SSH key
                   in FILE.ssh_key (mode 0600) and the nodes' host keys in FILE.known_hosts;
                   with --clusters 2, write PVE_CLUSTERS_FILE to FILE instead, naming
                   FILE.clusters.yml (mode 0600: both clusters' hosts, tokens, fingerprints and
                   SSH settings), with each cluster's SSH key and known_hosts in
                   FILE.<name>.ssh_key and FILE.<name>.known_hosts (name: moncluster, srv-cluster)
  --ca-file FILE   write the cluster CA certificate (like /etc/pve/pve-root-ca.pem) to FILE, e.g. for curl --cacert
                   (with --clusters 2, both clusters' CAs, one after the other)
  --nodes N        number of nodes (default 3), in every cluster
  --guests N       number of guests (default: the guides' TestVM and friends), in every cluster
  --port P         HTTPS port on every node's address (default 8006; 0 picks a free one per node)
  --ssh-port P     SSH port, the same on every node's address (default 2222; 0 picks a free one);
                   with --clusters 2, SRV-Cluster's is P+1
  --speed X        run simulated durations X times faster than real time (default 1)
  --pve-version V  the Proxmox VE release it answers as: 9.1 (default) or 8.4 (its API schema,
                   HA groups instead of rules, 8.4's answer shapes)
  -h, --help       show this help
`;

/** A command-line mistake: print the message and the usage, exit with status 2. */
export class SimUsageError extends Error {
  override readonly name = 'SimUsageError';
  readonly code = 'SIM_USAGE';
}

function integer(option: string, text: string, min: number, max: number): number {
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new SimUsageError(`--${option} must be a whole number from ${min} to ${max}, got '${text}'`);
  }
  return value;
}

export function parseSimArgs(argv: string[]): SimArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        clusters: { type: 'string' },
        'env-file': { type: 'string' },
        'ca-file': { type: 'string' },
        nodes: { type: 'string' },
        guests: { type: 'string' },
        port: { type: 'string' },
        'ssh-port': { type: 'string' },
        speed: { type: 'string' },
        'pve-version': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new SimUsageError((error as Error).message);
  }
  const text = (name: string) => values[name] as string | undefined;
  const args: SimArgs = {
    nodes: text('nodes') === undefined ? 3 : integer('nodes', text('nodes') as string, 1, 250),
    port: text('port') === undefined ? 8006 : integer('port', text('port') as string, 0, 65535),
    sshPort:
      text('ssh-port') === undefined ? 2222 : integer('ssh-port', text('ssh-port') as string, 0, 65535),
    speed: 1,
    pveVersion: '9.1',
    help: values.help === true,
  };
  const pveVersion = text('pve-version');
  if (pveVersion !== undefined) {
    if (pveVersion !== '8.4' && pveVersion !== '9.1')
      throw new SimUsageError(`--pve-version must be 8.4 or 9.1, got '${pveVersion}'`);
    args.pveVersion = pveVersion;
  }
  const speed = text('speed');
  if (speed !== undefined) {
    const value = /^\d+(\.\d+)?$/.test(speed) ? Number(speed) : Number.NaN;
    if (!(value > 0) || !Number.isFinite(value)) {
      throw new SimUsageError(`--speed must be a number greater than 0 (e.g. 1, 10, 0.5), got '${speed}'`);
    }
    args.speed = value;
  }
  const clusters = text('clusters');
  if (clusters !== undefined) {
    args.clusters = integer('clusters', clusters, 1, MAX_SIM_CLUSTERS);
    // SRV-Cluster's sshd listens on the next port.
    if (args.clusters > 1 && args.sshPort > 65535 - (args.clusters - 1)) {
      throw new SimUsageError(
        `--ssh-port must be at most ${65535 - (args.clusters - 1)} with --clusters ${args.clusters} (SRV-Cluster uses the next port), got '${args.sshPort}'`,
      );
    }
  }
  const guests = text('guests');
  if (guests !== undefined) args.guests = integer('guests', guests, 0, 100_000);
  const envFile = text('env-file');
  if (envFile !== undefined) {
    if (envFile.trim() === '') throw new SimUsageError('--env-file needs a file name');
    args.envFile = envFile;
  }
  const caFile = text('ca-file');
  if (caFile !== undefined) {
    if (caFile.trim() === '') throw new SimUsageError('--ca-file needs a file name');
    args.caFile = caFile;
  }
  return args;
}
