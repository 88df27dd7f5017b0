// The `/pve` command grammar: definitions, parsing and help.
export {
  type CommandName,
  commandDefinitions,
  commandRisk,
  findCommand,
  type ParsedCommand,
} from './command-list.js';
export { commandUsage, flagUsage } from './command-usage.js';
export type {
  CommandArgs,
  CommandDefinition,
  CommandRisk,
  CommandSpec,
  DiscordPlacement,
  DiscordPositional,
  FlagDefinition,
  ParsedCommandOf,
  PositionalDefinition,
} from './define-command.js';
export { defineCommand, discordPlacements } from './define-command.js';
export { commandHelp, helpText } from './help-text.js';
export { MAX_COMMAND_LENGTH, type ParseResult, parseCommand } from './parse-command.js';
export { type ValueKind, valueKindOf } from './value-schemas.js';
