// `/pve` as Discord sees it: one chat-input command whose subcommands are the grammar's commands,
// directly or in groups (discord-layout.ts), each positional and flag a typed option. Derived from
// the grammar, so a new command reaches Discord with `pve-chatops discord:register` and nothing
// else. Names of guests and nodes, and `help`'s command names, are autocompleted; integers are
// number options with their bounds.
import {
  type APIApplicationCommandBasicOption,
  type APIApplicationCommandSubcommandGroupOption,
  type APIApplicationCommandSubcommandOption,
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ApplicationIntegrationType,
  InteractionContextType,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord-api-types/v10';
import { type FlagDefinition, type PositionalDefinition, valueKindOf } from '../../core/grammar/index.js';
import { truncate } from '../card-marks.js';
import { type DiscordOption, type DiscordSubcommand, discordLayout } from './discord-layout.js';

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
  description: string,
  required: boolean,
): APIApplicationCommandBasicOption {
  const common = { name, description: describe(description), required };
  const kind = valueKindOf(definition.schema);
  switch (kind?.kind) {
    case 'guest':
    case 'node':
    case 'guest-or-node':
    // The command names are completed too: there are more than the 25 choices Discord allows.
    case 'command':
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
    default:
      return { ...common, type: ApplicationCommandOptionType.String };
  }
}

function optionOf(option: DiscordOption): APIApplicationCommandBasicOption {
  if (option.flag && (option.definition as FlagDefinition).value === undefined)
    return {
      name: option.name,
      description: describe(option.description),
      type: ApplicationCommandOptionType.Boolean,
      required: false,
    };
  return valueOption(option.name, option.definition, option.description, option.required);
}

/**
 * `--cluster`, on every subcommand when the bot drives several clusters: autocompleted from their
 * names (a fixed list of choices on 31 subcommands would pass Discord's 8,000 characters).
 */
export const CLUSTER_OPTION = 'cluster';
const clusterOption: APIApplicationCommandBasicOption = {
  name: CLUSTER_OPTION,
  description: 'the cluster it is for',
  type: ApplicationCommandOptionType.String,
  required: false,
  autocomplete: true,
};

export function subcommandOf(
  subcommand: DiscordSubcommand,
  { severalClusters = false }: { severalClusters?: boolean } = {},
): APIApplicationCommandSubcommandOption {
  return {
    type: ApplicationCommandOptionType.Subcommand,
    name: subcommand.name,
    description: describe(subcommand.summary),
    options: [...subcommand.options.map(optionOf), ...(severalClusters ? [clusterOption] : [])],
  };
}

function groupOf(
  name: string,
  subcommands: readonly DiscordSubcommand[],
  severalClusters: boolean,
): APIApplicationCommandSubcommandGroupOption {
  return {
    type: ApplicationCommandOptionType.SubcommandGroup,
    name,
    description: describe(`${name} commands: ${subcommands.map((s) => s.name).join(', ')}`),
    options: subcommands.map((s) => subcommandOf(s, { severalClusters })),
  };
}

/** The body of `PUT /applications/{id}[/guilds/{id}]/commands`: the whole set, replacing what was there. */
export function slashCommandDefinitions({
  clusters = [],
}: {
  clusters?: readonly string[];
} = {}): RESTPostAPIChatInputApplicationCommandsJSONBody[] {
  const severalClusters = clusters.length > 1;
  return [
    {
      name: DISCORD_COMMAND,
      description: 'Drive the Proxmox VE cluster',
      type: ApplicationCommandType.ChatInput,
      // Guild channels only: policies name guild roles, and a DM has no thread to report into.
      contexts: [InteractionContextType.Guild],
      integration_types: [ApplicationIntegrationType.GuildInstall],
      options: discordLayout().map((entry) =>
        entry.type === 'group'
          ? groupOf(entry.name, entry.subcommands, severalClusters)
          : subcommandOf(entry.subcommand, { severalClusters }),
      ),
    },
  ];
}
