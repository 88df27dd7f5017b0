// Every `/pve` command. A new command: one file in commands/ and one line here.

import { auditCommand } from './commands/audit-command.js';
import { balanceCommand } from './commands/balance-command.js';
import { cancelCommand } from './commands/cancel-command.js';
import { cloneCommand } from './commands/clone-command.js';
import { clusterCommand } from './commands/cluster-command.js';
import { createCommand } from './commands/create-command.js';
import { digestCommand } from './commands/digest-command.js';
import { haCommand } from './commands/ha-command.js';
import { helpCommand } from './commands/help-command.js';
import { jobsCommand } from './commands/jobs-command.js';
import { migrateCommand } from './commands/migrate-command.js';
import { nodeCommand } from './commands/node-command.js';
import { rebootCommand } from './commands/reboot-command.js';
import { replicateCommand } from './commands/replicate-command.js';
import { replicationCommand } from './commands/replication-command.js';
import { shutdownCommand } from './commands/shutdown-command.js';
import { startCommand } from './commands/start-command.js';
import { statusCommand } from './commands/status-command.js';
import { stopCommand } from './commands/stop-command.js';
import { updatesCommand } from './commands/updates-command.js';
import { upgradeCommand } from './commands/upgrade-command.js';
import { whoamiCommand } from './commands/whoami-command.js';
import type { CommandDefinition, CommandRisk, ParsedCommandOf } from './define-command.js';

/** In the order `help` lists them. */
export const commandDefinitions = [
  helpCommand,
  statusCommand,
  clusterCommand,
  digestCommand,
  startCommand,
  stopCommand,
  shutdownCommand,
  rebootCommand,
  migrateCommand,
  cloneCommand,
  createCommand,
  replicationCommand,
  replicateCommand,
  updatesCommand,
  upgradeCommand,
  balanceCommand,
  nodeCommand,
  haCommand,
  jobsCommand,
  cancelCommand,
  auditCommand,
  whoamiCommand,
] as const;

/** What `parseCommand` returns: `{ name, args }`, discriminated by `name`. */
export type ParsedCommand = ParsedCommandOf<(typeof commandDefinitions)[number]>;

export type CommandName = ParsedCommand['name'];

/** The definition a typed word names (case-insensitive, aliases included), if any. */
export function findCommand(word: string): CommandDefinition | undefined {
  const wanted = word.toLowerCase();
  const all: readonly CommandDefinition[] = commandDefinitions;
  return all.find((c) => c.name === wanted || c.aliases.includes(wanted));
}

/** The risk a command declares; an unknown name counts as disruptive, the safe side. */
export function commandRisk(name: string): CommandRisk {
  return findCommand(name)?.risk ?? 'disruptive';
}
