// The shape of `/pve` on Discord, from the grammar: each command a subcommand of its own, unless
// its definition places it (`discord: { group, name }`) in a group (`/pve snapshot take`), where
// one command may have several forms (`snapshot take`, `snapshot delete`). Discord allows 25
// subcommands or groups under `/pve` and 25 subcommands per group; grouping keeps the registry
// inside them as it grows. The registration (slash-command-definitions.ts), the text an
// interaction becomes (interaction-to-text.ts) and autocomplete all read this one layout.
import {
  type CommandDefinition,
  commandDefinitions,
  type DiscordPlacement,
  discordPlacements,
  type FlagDefinition,
  type PositionalDefinition,
} from '../../core/grammar/index.js';

/** One option of a subcommand: a positional or a flag of the command, as Discord offers it. */
export interface DiscordOption {
  readonly name: string;
  readonly definition: PositionalDefinition | FlagDefinition;
  readonly description: string;
  readonly required: boolean;
  /** A positional (written as a word) or a flag (`--name`, a switch when it takes no value). */
  readonly flag: boolean;
}

/** A subcommand `/pve` offers, and the command line it writes. */
export interface DiscordSubcommand {
  /** The group it is in, or undefined for a subcommand directly under `/pve`. */
  readonly group: string | undefined;
  readonly name: string;
  /** As written in the grammar (markdown and all); the registration cleans it up. */
  readonly summary: string;
  readonly command: CommandDefinition;
  /** Written after the command's name, before the options (`delete`). */
  readonly words: readonly string[];
  /** Positionals first, in the order they are written, then flags. */
  readonly options: readonly DiscordOption[];
}

/** What sits directly under `/pve`: a subcommand, or a group of them. */
export type DiscordEntry =
  | { readonly type: 'subcommand'; readonly subcommand: DiscordSubcommand }
  | { readonly type: 'group'; readonly name: string; readonly subcommands: readonly DiscordSubcommand[] };

function positionalOptions(
  command: CommandDefinition,
  placement: DiscordPlacement | undefined,
): DiscordOption[] {
  const offered = placement?.positionals ?? command.positionals.map((p) => p.name);
  return offered.map((entry) => {
    const { name, description, required } = typeof entry === 'string' ? { name: entry } : entry;
    const definition = command.positionals.find((p) => p.name === name)!;
    return {
      name,
      definition,
      description: description ?? definition.description,
      required: required ?? !definition.optional,
      flag: false,
    };
  });
}

function flagOptions(command: CommandDefinition, placement: DiscordPlacement | undefined): DiscordOption[] {
  const offered = placement?.flags ?? Object.keys(command.flags);
  return offered.map((name) => {
    const definition = command.flags[name]!;
    return { name, definition, description: definition.description, required: false, flag: true };
  });
}

function subcommandOf(command: CommandDefinition, placement?: DiscordPlacement): DiscordSubcommand {
  return {
    group: placement?.group,
    name: placement?.name ?? command.name,
    summary: placement?.summary ?? command.summary,
    command,
    words: placement?.words ?? [],
    options: [...positionalOptions(command, placement), ...flagOptions(command, placement)],
  };
}

function buildLayout(commands: readonly CommandDefinition[]): DiscordEntry[] {
  const entries: DiscordEntry[] = [];
  const groups = new Map<string, DiscordSubcommand[]>();
  for (const command of commands) {
    const placements = discordPlacements(command);
    if (placements.length === 0) {
      entries.push({ type: 'subcommand', subcommand: subcommandOf(command) });
      continue;
    }
    for (const placement of placements) {
      let members = groups.get(placement.group);
      if (!members) {
        // A group sits where its first member is in the registry's order.
        members = [];
        groups.set(placement.group, members);
        entries.push({ type: 'group', name: placement.group, subcommands: members });
      }
      members.push(subcommandOf(command, placement));
    }
  }
  return entries;
}

let layout: readonly DiscordEntry[] | undefined;

/** `/pve` on Discord: its subcommands and groups, in the registry's order. */
export function discordLayout(): readonly DiscordEntry[] {
  layout ??= buildLayout(commandDefinitions);
  return layout;
}

/** Every subcommand, grouped or not. */
export function discordSubcommands(): readonly DiscordSubcommand[] {
  return discordLayout().flatMap((entry) =>
    entry.type === 'group' ? entry.subcommands : [entry.subcommand],
  );
}

/** The subcommand an interaction names: `start`, or `take` in the group `snapshot`. */
export function findDiscordSubcommand(
  group: string | null | undefined,
  name: string,
): DiscordSubcommand | undefined {
  return discordSubcommands().find((s) => s.group === (group ?? undefined) && s.name === name);
}
