// `apt-get update`, the non-interactive `apt-get dist-upgrade` and the reboot-required check, as
// a rolling upgrade runs them over SSH: output streamed line by line over simulated time, the
// dpkg lock held while they run, and the upgrade's effects applied only when it succeeded.
import { type AptScript, aptUpdateScript, distUpgradeScript } from '../cluster/apt-output.js';
import type { SimNode } from '../cluster/cluster-model.js';
import { installPendingUpdates } from '../cluster/node-upgrade.js';
import type { SimCluster } from '../cluster/sim-cluster.js';
import type { CommandRegistry, SimCommandContext } from '../types.js';
import { commandSleep } from './command-sleep.js';
import { exactCommand } from './exact-command.js';

/** The exact command lines accepted (PVE's API refreshes and lists packages but installs none, pve-manager PVE/API2/APT.pm: the upgrade runs over SSH as root). */
export const APT_COMMANDS = {
  update: 'apt-get update',
  distUpgrade:
    'DEBIAN_FRONTEND=noninteractive apt-get -y -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold dist-upgrade',
  rebootRequired: 'test -f /var/run/reboot-required',
} as const;

/** What apt says when another apt-get on the node holds the lock it needs; exit status 100. */
function lockRefusal(
  context: SimCommandContext,
  holder: NonNullable<SimNode['aptLock']>,
  kind: 'update' | 'upgrade',
): number {
  if (kind === 'update') {
    context.stderr(
      `E: Could not get lock /var/lib/apt/lists/lock. It is held by process ${holder.pid} (apt-get)\n`,
    );
    context.stderr('E: Unable to lock directory /var/lib/apt/lists/\n');
  } else {
    context.stderr(
      `E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process ${holder.pid} (apt-get)\n`,
    );
    context.stderr(
      'E: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), is another process using it?\n',
    );
  }
  return 100;
}

/** Plays a script; pveproxy is never left stopped, even when the command dies half-way. */
async function play(cluster: SimCluster, context: SimCommandContext, script: AptScript): Promise<number> {
  const sleep = commandSleep(cluster.scheduler, context.signal);
  let apiStopped = false;
  try {
    for (const step of script.steps) {
      if (step.delayMs > 0) await sleep(step.delayMs);
      if (step.kind === 'line') {
        if (step.stream === 'out') context.stdout(`${step.text}\n`);
        else context.stderr(`${step.text}\n`);
      } else {
        await context.setApiRunning(step.running);
        apiStopped = !step.running;
      }
    }
  } finally {
    if (apiStopped) await context.setApiRunning(true);
  }
  return script.exitCode;
}

/** Runs `work` holding the node's apt lock, or refuses as apt does when another apt-get has it. */
async function withAptLock(
  cluster: SimCluster,
  context: SimCommandContext,
  kind: 'update' | 'upgrade',
  work: (node: SimNode) => Promise<number>,
): Promise<number> {
  const node = cluster.node(context.node);
  if (node.aptLock) return lockRefusal(context, node.aptLock, kind);
  // A plausible pid for the lock message; real ones grow as processes fork.
  const lock = { command: context.command, pid: 20_000 + (Math.floor(cluster.now() / 7) % 40_000) };
  node.aptLock = lock;
  try {
    return await work(node);
  } finally {
    if (node.aptLock === lock) delete node.aptLock;
  }
}

export function registerAptCommands(registry: CommandRegistry, cluster: SimCluster): void {
  registry.on(exactCommand(APT_COMMANDS.update), (context) =>
    withAptLock(cluster, context, 'update', () => play(cluster, context, aptUpdateScript())),
  );

  registry.on(exactCommand(APT_COMMANDS.distUpgrade), (context) =>
    withAptLock(cluster, context, 'upgrade', async (node) => {
      // An injected failure waits for an upgrade that really runs dpkg.
      const failure = node.pendingUpdates.length > 0 ? cluster.takeUpgradeFailure(node.name) : undefined;
      const exitCode = await play(cluster, context, distUpgradeScript(node, failure));
      // A failed or killed upgrade counts as not done: everything stays pending.
      if (exitCode === 0) installPendingUpdates(node);
      return exitCode;
    }),
  );

  registry.on(exactCommand(APT_COMMANDS.rebootRequired), (context) =>
    cluster.node(context.node).rebootRequired ? 0 : 1,
  );
}
