// Every `/pve` command, in the order `help` lists them. A new command: one module in this folder
// (its grammar, policy properties and handler; see docs/adding-a-command.md) and one line here.
// Parsing, help, Discord's slash options, the policy's risk and the pipeline's dispatch all read
// this list, so nothing else names commands.
import { auditCommand } from './audit.js';
import { backupCommand } from './backup.js';
import { backupsCommand } from './backups.js';
import { balanceCommand } from './balance.js';
import { cancelCommand } from './cancel.js';
import { cloneCommand } from './clone.js';
import { clusterCommand } from './cluster.js';
import { createCommand } from './create.js';
import type { ChatCommand } from './define-chat-command.js';
import { digestCommand } from './digest.js';
import { haCommand } from './ha.js';
import { helpCommand } from './help.js';
import { jobsCommand } from './jobs.js';
import { migrateCommand } from './migrate.js';
import { nodeCommand } from './node.js';
import { rebootCommand } from './reboot.js';
import { replicateCommand } from './replicate.js';
import { replicationCommand } from './replication.js';
import { rollbackCommand } from './rollback.js';
import { scheduledCommand } from './scheduled.js';
import { shutdownCommand } from './shutdown.js';
import { snapshotCommand } from './snapshot.js';
import { snapshotsCommand } from './snapshots.js';
import { startCommand } from './start.js';
import { statusCommand } from './status.js';
import { stopCommand } from './stop.js';
import { tasksCommand } from './tasks.js';
import { updatesCommand } from './updates.js';
import { upgradeCommand } from './upgrade.js';
import { whoamiCommand } from './whoami.js';

export const chatCommands = [
  helpCommand,
  statusCommand,
  clusterCommand,
  digestCommand,
  tasksCommand,
  startCommand,
  stopCommand,
  shutdownCommand,
  rebootCommand,
  migrateCommand,
  cloneCommand,
  createCommand,
  backupCommand,
  backupsCommand,
  replicationCommand,
  replicateCommand,
  snapshotsCommand,
  snapshotCommand,
  rollbackCommand,
  updatesCommand,
  upgradeCommand,
  balanceCommand,
  nodeCommand,
  haCommand,
  jobsCommand,
  scheduledCommand,
  cancelCommand,
  auditCommand,
  whoamiCommand,
] as const;

/** Any command of the list, its handler's arguments left open (the pipeline checks them by name). */
// biome-ignore lint/suspicious/noExplicitAny: each entry's args are typed in its own module.
export type AnyChatCommand = ChatCommand<any>;

const byName: ReadonlyMap<string, AnyChatCommand> = new Map(
  (chatCommands as readonly AnyChatCommand[]).map((command) => [command.definition.name, command]),
);

/** The module of a parsed command's name (the parser only produces names of this list). */
export function chatCommandNamed(name: string): AnyChatCommand | undefined {
  return byName.get(name);
}
