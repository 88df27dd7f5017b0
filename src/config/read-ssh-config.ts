import { existsSync } from 'node:fs';
import type { SshConfig } from './config-types.js';
import type { Environment, Problem } from './environment.js';

export function readSsh(env: Environment, problem: Problem): SshConfig | undefined {
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
  if (!env.SSH_KEY_FILE || !env.SSH_KNOWN_HOSTS) return undefined;
  return { user: env.SSH_USER ?? 'root', keyFile: env.SSH_KEY_FILE, knownHostsFile: env.SSH_KNOWN_HOSTS };
}
