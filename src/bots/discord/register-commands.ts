// Tells Discord what `/pve` looks like: one bulk overwrite of the application's commands in each
// server the bot serves (guild commands show at once). Run again after an upgrade that adds
// commands; an overwrite leaves nothing stale behind. Nothing is registered globally: the bot
// answers only its own servers, so a command offered everywhere would only meet refusals.
import { REST, type RESTOptions, Routes } from 'discord.js';
import { discordSubcommands } from './discord-layout.js';
import { createDiscordRestRequest } from './discord-rest-request.js';
import { slashCommandDefinitions } from './slash-command-definitions.js';

export interface RegisterCommandsOptions {
  token: string;
  applicationId: string;
  /** The servers served (DISCORD_GUILD_IDS); at least one. */
  guildIds: readonly string[];
  apiUrl?: string | undefined;
  /** The clusters' names (PVE_CLUSTERS_FILE): with several, every subcommand takes `cluster`. */
  clusters?: readonly string[];
}

export interface RegisteredCommands {
  guildIds: string[];
  /** The subcommands `/pve` now has, a grouped one with its group (`snapshot take`). */
  subcommands: string[];
}

export async function registerCommands(options: RegisterCommandsOptions): Promise<RegisteredCommands> {
  if (options.guildIds.length === 0) throw new Error('registerCommands: no server (guild) to register in');
  const request = createDiscordRestRequest();
  const rest = new REST({
    ...(options.apiUrl ? { api: options.apiUrl } : {}),
    makeRequest: request.makeRequest as unknown as RESTOptions['makeRequest'],
  }).setToken(options.token);
  const body = slashCommandDefinitions({ clusters: options.clusters ?? [] });
  try {
    for (const guildId of options.guildIds) {
      await rest.put(Routes.applicationGuildCommands(options.applicationId, guildId), { body });
    }
  } finally {
    await request.close();
  }
  return {
    guildIds: [...options.guildIds],
    subcommands: discordSubcommands().map((s) => (s.group === undefined ? s.name : `${s.group} ${s.name}`)),
  };
}
