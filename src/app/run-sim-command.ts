// `pve-chatops sim`: start the simulator (one cluster, or two with --clusters 2), say where it
// is, write the env file (and the SSH key and known_hosts next to it; with two clusters, the
// clusters file it names), run until SIGINT or SIGTERM, then stop cleanly. The token secrets and
// the SSH keys are never printed, only written to files.

import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createJsonLogger, type Logger } from '../logger.js';
import type { RunningSimulator, SimulatorOptions } from '../sim/compose-simulator.js';
import {
  clusterSshFilesFor,
  clustersFileFor,
  sshFilesFor,
  writeSimClustersEnvFile,
  writeSimEnvFile,
} from '../sim/env-file.js';
import { parseSimArgs, SIM_USAGE, SimUsageError } from '../sim/parse-sim-args.js';
import { startSeveralSimulators } from '../sim/start-simulators.js';
import { waitForStopSignal } from '../wait-for-stop-signal.js';

export interface SimCommandDeps {
  /** Starts one cluster's simulator (called once per cluster); defaults to the real one (loaded lazily). */
  start?: (options: SimulatorOptions) => Promise<RunningSimulator>;
  out?: (text: string) => void;
  err?: (text: string) => void;
  /** Resolves when the command should stop; defaults to the first SIGINT or SIGTERM. */
  stopRequested?: Promise<unknown>;
  logger?: Logger;
}

/** What the banner says of one running cluster: its nodes with addresses and fingerprints, token, SSH. */
function clusterLines(sim: RunningSimulator, indent: string): string[] {
  const width = Math.max(...sim.nodes.map((node) => node.length));
  return [
    ...sim.nodes.map(
      (node, i) => `${indent}  ${node.padEnd(width)}  ${sim.hosts[i]}  ${sim.fingerprints[i]}`,
    ),
    `${indent}API token: ${sim.tokenId}`,
    `${indent}SSH: user ${sim.ssh.user}, port ${sim.ssh.port} on every node's address`,
  ];
}

export function simBanner(
  sim: RunningSimulator,
  speed: number,
  envFile: string | undefined,
  pveVersion = '9.1',
): string {
  const lines = [
    `Simulated Proxmox VE ${pveVersion} cluster '${sim.clusterName}' is running (speed x${speed}).`,
    ...clusterLines(sim, ''),
    envFile
      ? `Token secret and connection settings written to ${envFile}; SSH key and known_hosts in ${sshFilesFor(envFile).keyFile} and ${sshFilesFor(envFile).knownHostsFile}`
      : 'The token secret and SSH key are not shown: use --env-file FILE to get the connection settings.',
    'Press Ctrl+C to stop.',
  ];
  return `${lines.join('\n')}\n`;
}

/** The banner of several simulated clusters: each one as simBanner shows one, then where the settings are. */
export function simClustersBanner(
  sims: RunningSimulator[],
  speed: number,
  envFile: string | undefined,
  pveVersion = '9.1',
): string {
  const lines = [
    `${sims.length} simulated Proxmox VE ${pveVersion} clusters are running (speed x${speed}); they share nothing.`,
  ];
  for (const sim of sims) lines.push(`Cluster '${sim.clusterName}':`, ...clusterLines(sim, '  '));
  if (envFile) {
    lines.push(
      `PVE_CLUSTERS_FILE written to ${envFile}; the clusters' token secrets and connection settings in ${clustersFileFor(envFile)}`,
      ...sims.map((sim) => {
        const files = clusterSshFilesFor(envFile, sim.clusterName);
        return `  ${sim.clusterName}'s SSH key and known_hosts in ${files.keyFile} and ${files.knownHostsFile}`;
      }),
    );
  } else {
    lines.push(
      'The token secrets and SSH keys are not shown: use --env-file FILE to get the connection settings.',
    );
  }
  lines.push('Press Ctrl+C to stop.');
  return `${lines.join('\n')}\n`;
}

export async function runSimCommand(argv: string[], deps: SimCommandDeps = {}): Promise<void> {
  const out = deps.out ?? ((text: string) => process.stdout.write(text));
  const err = deps.err ?? ((text: string) => process.stderr.write(text));
  let args: ReturnType<typeof parseSimArgs>;
  try {
    args = parseSimArgs(argv);
  } catch (error) {
    if (!(error instanceof SimUsageError)) throw error;
    err(`pve-chatops sim: ${error.message}\n\n${SIM_USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (args.help) {
    out(SIM_USAGE);
    return;
  }
  // Listen for signals before starting, so a Ctrl+C during start-up is not lost.
  const stopRequested = deps.stopRequested ?? waitForStopSignal();
  const start = deps.start ?? (await import('../sim/simulator.js')).startSimulator;
  const options: SimulatorOptions = {
    nodes: args.nodes,
    port: args.port,
    sshPort: args.sshPort,
    speed: args.speed,
    pveVersion: args.pveVersion,
    logger: deps.logger ?? createJsonLogger('info'),
  };
  if (args.guests !== undefined) options.guests = args.guests;
  const clusters = args.clusters ?? 1;
  let sims: RunningSimulator[];
  try {
    sims = await startSeveralSimulators({ ...options, clusters }, start);
  } catch (error) {
    const { code, address, port } = error as NodeJS.ErrnoException & { address?: string; port?: number };
    if (code !== 'EADDRINUSE' && code !== 'EADDRNOTAVAIL') throw error;
    const sshPorts = Array.from({ length: clusters }, (_, index) => args.sshPort + index);
    const option =
      port !== undefined && sshPorts.includes(port) && port !== args.port ? '--ssh-port' : '--port';
    err(
      `pve-chatops sim: cannot listen on ${address}:${port} (${code}). Another simulator may be running; ` +
        `stop it or pick another port with ${option} (0 picks a free one).\n`,
    );
    process.exitCode = 1;
    return;
  }
  try {
    const envFile = args.envFile === undefined ? undefined : resolve(args.envFile);
    const [first] = sims as [RunningSimulator];
    if (envFile) {
      if (sims.length === 1) await writeSimEnvFile(envFile, first);
      else await writeSimClustersEnvFile(envFile, sims);
    }
    // The CA is public; curl --cacert and PVE_CA_FILE can use it instead of the fingerprints.
    // With several clusters the file holds every cluster's CA, one after the other.
    if (args.caFile) {
      const pem = sims.length === 1 ? first.caPem : sims.map((sim) => `${sim.caPem.trimEnd()}\n`).join('');
      await writeFile(resolve(args.caFile), pem);
    }
    out(
      sims.length === 1
        ? simBanner(first, args.speed, envFile, args.pveVersion)
        : simClustersBanner(sims, args.speed, envFile, args.pveVersion),
    );
    await stopRequested;
    out('Stopping the simulator…\n');
  } finally {
    await Promise.all(sims.map((sim) => sim.stop()));
  }
}
