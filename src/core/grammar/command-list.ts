// Every `/pve` command's grammar, read from the command modules (src/core/commands/index.ts).
import { chatCommands } from '../commands/index.js';
import type { CommandDefinition, CommandRisk, ParsedCommandOf } from './define-command.js';

/** In the order `help` lists them. */
export const commandDefinitions: readonly CommandDefinition[] = chatCommands.map(
  (command) => command.definition,
);

/** What `parseCommand` returns: `{ name, args }`, discriminated by `name`. */
export type ParsedCommand = ParsedCommandOf<(typeof chatCommands)[number]['definition']>;

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
