import { existsSync } from 'node:fs';
import type { SshConfig } from './config-types.js';
import type { Environment, Problem } from './environment.js';

const DEFAULT_SSH_PORT = 22;

/** SSH_PORT as a number, or undefined after reporting why it is not a port. */
function readSshPort(env: Environment, problem: Problem): number | undefined {
  if (env.SSH_PORT === undefined) return DEFAULT_SSH_PORT;
  const port = /^\d+$/.test(env.SSH_PORT) ? Number(env.SSH_PORT) : Number.NaN;
  if (Number.isInteger(port) && port >= 1 && port <= 65535) return port;
  problem(
    'SSH_PORT',
    `must be the TCP port of every node's sshd, a whole number from 1 to 65535, e.g. 22 (got '${env.SSH_PORT}')`,
  );
  return undefined;
}

export function readSsh(env: Environment, problem: Problem): SshConfig | undefined {
  // SSH_PORT is checked even when SSH is otherwise off, so a typo is reported now rather than
  // the day the other SSH variables are filled in; on its own it does not switch SSH on.
  const port = readSshPort(env, problem);
  const values = [env.SSH_USER, env.SSH_KEY_FILE, env.SSH_KNOWN_HOSTS];
  if (values.every((v) => v === undefined)) return undefined;
  if (!env.SSH_KEY_FILE)
    problem('SSH_KEY_FILE', 'is required with SSH: the private key file the worker logs in with');
  if (!env.SSH_KNOWN_HOSTS) {
    problem('SSH_KNOWN_HOSTS', "is required with SSH: a known_hosts file with every node's host key");
  }
  for (const [variable, path] of [
    ['SSH_KEY_FILE', env.SSH_KEY_FILE],
    ['SSH_KNOWN_HOSTS', env.SSH_KNOWN_HOSTS],
  ] as const) {
    if (path && !existsSync(path)) problem(variable, `file '${path}' does not exist`);
  }
  if (!env.SSH_KEY_FILE || !env.SSH_KNOWN_HOSTS || port === undefined) return undefined;
  return {
    user: env.SSH_USER ?? 'root',
    keyFile: env.SSH_KEY_FILE,
    knownHostsFile: env.SSH_KNOWN_HOSTS,
    port,
  };
}
