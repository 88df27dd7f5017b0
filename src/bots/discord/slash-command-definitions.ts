// `/pve` as Discord sees it: one chat-input command whose subcommands are the grammar's commands,
// each positional and flag a typed option. Derived from the grammar, so a new command reaches
// Discord with `pve-chatops discord:register` and nothing else. Names of guests and nodes are
// autocompleted; integers are number options with their bounds; `help` offers the command names.
import {
  type APIApplicationCommandBasicOption,
  type APIApplicationCommandSubcommandOption,
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ApplicationIntegrationType,
  InteractionContextType,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord-api-types/v10';
import {
  type CommandDefinition,
  commandDefinitions,
  type FlagDefinition,
  type PositionalDefinition,
  valueKindOf,
} from '../../core/grammar/index.js';
import { truncate } from '../card-marks.js';

export const DISCORD_COMMAND = 'pve';
const DESCRIPTION_MAX = 100;

function describe(text: string): string {
  const clean = text.replace(/`/g, '');
  return truncate(`${clean.charAt(0).toUpperCase()}${clean.slice(1)}`, DESCRIPTION_MAX);
}

/** The option for one positional or value flag, typed and completed by what it names. */
function valueOption(
  name: string,
  definition: PositionalDefinition | FlagDefinition,
  required: boolean,
): APIApplicationCommandBasicOption {
  const common = { name, description: describe(definition.description), required };
  const kind = valueKindOf(definition.schema);
  switch (kind?.kind) {
    case 'guest':
    case 'node':
    case 'guest-or-node':
      return { ...common, type: ApplicationCommandOptionType.String, autocomplete: true };
    case 'integer':
      return {
        ...common,
        type: ApplicationCommandOptionType.Integer,
        min_value: kind.min,
        max_value: kind.max,
      };
    case 'choice':
      return {
        ...common,
        type: ApplicationCommandOptionType.String,
        choices: kind.values.map((value) => ({ name: value, value })),
      };
    case 'command':
      return {
        ...common,
        type: ApplicationCommandOptionType.String,
        choices: commandDefinitions.slice(0, 25).map((c) => ({ name: c.name, value: c.name })),
      };
    default:
      return { ...common, type: ApplicationCommandOptionType.String };
  }
}

export function subcommandOf(command: CommandDefinition): APIApplicationCommandSubcommandOption {
  const options: APIApplicationCommandBasicOption[] = command.positionals.map((p) =>
    valueOption(p.name, p, !p.optional),
  );
  for (const [name, flag] of Object.entries(command.flags)) {
    options.push(
      flag.value === undefined
        ? {
            name,
            description: describe(flag.description),
            type: ApplicationCommandOptionType.Boolean,
            required: false,
          }
        : valueOption(name, flag, false),
    );
  }
  return {
    type: ApplicationCommandOptionType.Subcommand,
    name: command.name,
    description: describe(command.summary),
    options,
  };
}

/** The body of `PUT /applications/{id}[/guilds/{id}]/commands`: the whole set, replacing what was there. */
export function slashCommandDefinitions(): RESTPostAPIChatInputApplicationCommandsJSONBody[] {
  const all: readonly CommandDefinition[] = commandDefinitions;
  return [
    {
      name: DISCORD_COMMAND,
      description: 'Drive the Proxmox VE cluster',
      type: ApplicationCommandType.ChatInput,
      // Guild channels only: policies name guild roles, and a DM has no thread to report into.
      contexts: [InteractionContextType.Guild],
      integration_types: [ApplicationIntegrationType.GuildInstall],
      options: all.map(subcommandOf),
    },
  ];
}
