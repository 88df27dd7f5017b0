// The env file `pve-chatops sim --env-file FILE` writes: the PVE_* and SSH_* variables that point
// the bot at the running simulator, readable by Node's --env-file, docker compose and systemd
// alike, with the SSH key and known_hosts the SSH_* variables name written next to it. With
// several simulated clusters it holds PVE_CLUSTERS_FILE instead, naming FILE.clusters.yml.

import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Document } from 'yaml';
import type { RunningSimulator } from './compose-simulator.js';
import type { SshEnvFiles } from './ssh/ssh-client-files.js';

const KEY_RE = /^[A-Z_][A-Z0-9_]*$/;

/** `KEY=value` lines under a comment header; refuses anything a dotenv parser could misread. */
export function formatEnvFile(vars: Record<string, string>, now: Date = new Date()): string {
  const lines = [
    `# Written by 'pve-chatops sim' at ${now.toISOString()}.`,
    '# Connects pve-chatops to the simulated cluster(s); valid only while that simulator runs',
    '# (the token secret and the SSH keys change on every start). Contains a secret: keep it private.',
  ];
  for (const [key, value] of Object.entries(vars)) {
    if (!KEY_RE.test(key)) throw new Error(`invalid environment variable name '${key}'`);
    if (/[\s"'#\\]/.test(value)) throw new Error(`the value of ${key} would need quoting`);
    lines.push(`${key}=${value}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Writes `content` to a fresh file first and then renames it over `path`, so an existing file
 * with looser permissions never holds the secret, not even for a moment.
 */
async function replaceFile(path: string, content: string, mode: number): Promise<void> {
  const temporary = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, content, { mode, flag: 'wx' });
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Writes the file readable by its owner only (0600). */
export async function writeEnvFile(path: string, vars: Record<string, string>): Promise<void> {
  await replaceFile(path, formatEnvFile(vars), 0o600);
}

/** Where writeSimEnvFile puts the SSH files for the env file `path`. */
export function sshFilesFor(path: string): SshEnvFiles {
  return { keyFile: `${path}.ssh_key`, knownHostsFile: `${path}.known_hosts` };
}

/**
 * The env file of a running simulator, with the client key (`FILE.ssh_key`, 0600) and the
 * cluster's known_hosts (`FILE.known_hosts`) next to it, named by SSH_KEY_FILE and SSH_KNOWN_HOSTS.
 */
export async function writeSimEnvFile(
  path: string,
  sim: Pick<RunningSimulator, 'env' | 'ssh'>,
): Promise<SshEnvFiles> {
  const files = sshFilesFor(path);
  await replaceFile(files.keyFile, sim.ssh.clientPrivateKey, 0o600);
  await replaceFile(files.knownHostsFile, sim.ssh.knownHosts, 0o644);
  await writeEnvFile(path, sim.env(files));
  return files;
}

/** The simulator's part of a clusters file entry, what writeSimClustersEnvFile reads. */
export type SimClusterAccess = Pick<
  RunningSimulator,
  'clusterName' | 'hosts' | 'tokenId' | 'tokenSecret' | 'fingerprints' | 'ssh'
>;

/** A cluster's name in the clusters file (what `--cluster` takes): PVE's cluster name in lower case. */
export function clusterConfigName(clusterName: string): string {
  return clusterName.toLowerCase();
}

/** Where writeSimClustersEnvFile puts the clusters file for the env file `path`. */
export function clustersFileFor(path: string): string {
  return `${path}.clusters.yml`;
}

/** Where writeSimClustersEnvFile puts a cluster's SSH files: `FILE.<name>.ssh_key`, `FILE.<name>.known_hosts`. */
export function clusterSshFilesFor(path: string, clusterName: string): SshEnvFiles {
  const name = clusterConfigName(clusterName);
  return { keyFile: `${path}.${name}.ssh_key`, knownHostsFile: `${path}.${name}.known_hosts` };
}

/** The clusters file (PVE_CLUSTERS_FILE's YAML) of running simulators, their SSH files named by `files`. */
export function formatClustersFile(
  sims: SimClusterAccess[],
  files: SshEnvFiles[],
  now: Date = new Date(),
): string {
  const clusters = sims.map((sim, index) => {
    const ssh = files[index];
    if (!ssh) throw new Error(`no SSH files given for cluster ${sim.clusterName}`);
    return {
      name: clusterConfigName(sim.clusterName),
      hosts: sim.hosts,
      tokenId: sim.tokenId,
      tokenSecret: sim.tokenSecret,
      fingerprints: sim.fingerprints,
      ssh: {
        user: sim.ssh.user,
        port: sim.ssh.port,
        keyFile: ssh.keyFile,
        knownHostsFile: ssh.knownHostsFile,
      },
    };
  });
  const document = new Document({ clusters });
  document.commentBefore = [
    ` Written by 'pve-chatops sim' at ${now.toISOString()}.`,
    ' The simulated clusters, for PVE_CLUSTERS_FILE; valid only while that simulator runs',
    ' (the token secrets and the SSH keys change on every start). Contains secrets: keep it private.',
  ].join('\n');
  return document.toString();
}

/**
 * The env file of several running simulators: PVE_CLUSTERS_FILE naming `FILE.clusters.yml`
 * (0600), which lists every cluster with its hosts, token, fingerprints and SSH settings; each
 * cluster's client key and known_hosts in `FILE.<name>.ssh_key` and `FILE.<name>.known_hosts`
 * (0600). Every path written into the files is absolute.
 */
export async function writeSimClustersEnvFile(
  path: string,
  sims: SimClusterAccess[],
): Promise<{ clustersFile: string; ssh: SshEnvFiles[] }> {
  const envFile = resolve(path);
  const clustersFile = clustersFileFor(envFile);
  const ssh = sims.map((sim) => clusterSshFilesFor(envFile, sim.clusterName));
  for (const [index, sim] of sims.entries()) {
    const files = ssh[index] as SshEnvFiles;
    await replaceFile(files.keyFile, sim.ssh.clientPrivateKey, 0o600);
    await replaceFile(files.knownHostsFile, sim.ssh.knownHosts, 0o600);
  }
  await replaceFile(clustersFile, formatClustersFile(sims, ssh), 0o600);
  await writeEnvFile(envFile, { PVE_CLUSTERS_FILE: clustersFile });
  return { clustersFile, ssh };
}
