// Tells Discord what `/pve` looks like: one bulk overwrite of the application's commands, in one
// guild (instant, for DISCORD_GUILD_ID) or globally (Discord spreads those within about an hour).
// Run again after an upgrade that adds commands; an overwrite leaves nothing stale behind.
import { REST, type RESTOptions, Routes } from 'discord.js';
import { createDiscordRestRequest } from './discord-rest-request.js';
import { slashCommandDefinitions } from './slash-command-definitions.js';

export interface RegisterCommandsOptions {
  token: string;
  applicationId: string;
  guildId?: string | undefined;
  apiUrl?: string | undefined;
}

export interface RegisteredCommands {
  scope: 'guild' | 'global';
  /** The subcommands `/pve` now has. */
  subcommands: string[];
}

export async function registerCommands(options: RegisterCommandsOptions): Promise<RegisteredCommands> {
  const request = createDiscordRestRequest();
  const rest = new REST({
    ...(options.apiUrl ? { api: options.apiUrl } : {}),
    makeRequest: request.makeRequest as unknown as RESTOptions['makeRequest'],
  }).setToken(options.token);
  const body = slashCommandDefinitions();
  const route = options.guildId
    ? Routes.applicationGuildCommands(options.applicationId, options.guildId)
    : Routes.applicationCommands(options.applicationId);
  try {
    await rest.put(route, { body });
  } finally {
    await request.close();
  }
  return {
    scope: options.guildId ? 'guild' : 'global',
    subcommands: (body[0]?.options ?? []).map((option) => option.name),
  };
}
