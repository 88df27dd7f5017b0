// `pve-chatops sim`: start the simulator, say where it is, write the env file (and the SSH key
// and known_hosts next to it), run until SIGINT or SIGTERM, then stop cleanly. The token secret
// and the SSH key are never printed, only written to files.

import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createJsonLogger, type Logger } from '../logger.js';
import type { RunningSimulator, SimulatorOptions } from '../sim/compose-simulator.js';
import { sshFilesFor, writeSimEnvFile } from '../sim/env-file.js';
import { parseSimArgs, SIM_USAGE, SimUsageError } from '../sim/parse-sim-args.js';
import { waitForStopSignal } from '../wait-for-stop-signal.js';

export interface SimCommandDeps {
  /** Defaults to the real simulator (loaded lazily). */
  start?: (options: SimulatorOptions) => Promise<RunningSimulator>;
  out?: (text: string) => void;
  err?: (text: string) => void;
  /** Resolves when the command should stop; defaults to the first SIGINT or SIGTERM. */
  stopRequested?: Promise<unknown>;
  logger?: Logger;
}

export function simBanner(
  sim: RunningSimulator,
  speed: number,
  envFile: string | undefined,
  pveVersion = '9.1',
): string {
  const width = Math.max(...sim.nodes.map((node) => node.length));
  const lines = [
    `Simulated Proxmox VE ${pveVersion} cluster '${sim.clusterName}' is running (speed x${speed}).`,
    ...sim.nodes.map((node, i) => `  ${node.padEnd(width)}  ${sim.hosts[i]}  ${sim.fingerprints[i]}`),
    `API token: ${sim.tokenId}`,
    `SSH: user ${sim.ssh.user}, port ${sim.ssh.port} on every node's address`,
    envFile
      ? `Token secret and connection settings written to ${envFile}; SSH key and known_hosts in ${sshFilesFor(envFile).keyFile} and ${sshFilesFor(envFile).knownHostsFile}`
      : 'The token secret and SSH key are not shown: use --env-file FILE to get the connection settings.',
    'Press Ctrl+C to stop.',
  ];
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
  let sim: RunningSimulator;
  try {
    sim = await start(options);
  } catch (error) {
    const { code, address, port } = error as NodeJS.ErrnoException & { address?: string; port?: number };
    if (code !== 'EADDRINUSE' && code !== 'EADDRNOTAVAIL') throw error;
    const option = port === args.sshPort && port !== args.port ? '--ssh-port' : '--port';
    err(
      `pve-chatops sim: cannot listen on ${address}:${port} (${code}). Another simulator may be running; ` +
        `stop it or pick another port with ${option} (0 picks a free one).\n`,
    );
    process.exitCode = 1;
    return;
  }
  try {
    const envFile = args.envFile === undefined ? undefined : resolve(args.envFile);
    if (envFile) await writeSimEnvFile(envFile, sim);
    // The CA is public; curl --cacert and PVE_CA_FILE can use it instead of the fingerprints.
    if (args.caFile) await writeFile(resolve(args.caFile), sim.caPem);
    out(simBanner(sim, args.speed, envFile, args.pveVersion));
    await stopRequested;
    out('Stopping the simulator…\n');
  } finally {
    await sim.stop();
  }
}
