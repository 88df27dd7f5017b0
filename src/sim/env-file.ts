// The env file `pve-chatops sim --env-file FILE` writes: the PVE_* and SSH_* variables that point
// the bot at the running simulator, readable by Node's --env-file, docker compose and systemd
// alike, with the SSH key and known_hosts the SSH_* variables name written next to it.

import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import type { RunningSimulator } from './compose-simulator.js';
import type { SshEnvFiles } from './ssh/ssh-client-files.js';

const KEY_RE = /^[A-Z_][A-Z0-9_]*$/;

/** `KEY=value` lines under a comment header; refuses anything a dotenv parser could misread. */
export function formatEnvFile(vars: Record<string, string>, now: Date = new Date()): string {
  const lines = [
    `# Written by 'pve-chatops sim' at ${now.toISOString()}.`,
    '# Connects pve-chatops to the simulated cluster; valid only while that simulator runs',
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
