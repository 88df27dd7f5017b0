// The SSH runner for a simulator started in this process (the demo): the key and known_hosts the
// simulator made at start-up, held in memory instead of files.

import type { Logger } from '../logger.js';
import { KnownHosts } from '../proxmox/ssh/known-hosts.js';
import { SshRunner } from '../proxmox/ssh/ssh-runner.js';
import type { SimSshAccess } from '../sim/simulator.js';

export function sshRunnerForSimulator(ssh: SimSshAccess, logger?: Logger): SshRunner {
  return new SshRunner({
    user: ssh.user,
    privateKey: ssh.clientPrivateKey,
    keyFile: 'the simulator’s client key',
    knownHosts: KnownHosts.parse(ssh.knownHosts, 'the simulator’s known_hosts'),
    port: ssh.port,
    ...(logger ? { logger } : {}),
  });
}
