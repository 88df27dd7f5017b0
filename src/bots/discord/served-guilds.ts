// Which Discord servers (guilds) the bot serves. Anyone may invite a bot to their own server or
// open a DM with it, and Discord then delivers their interactions like any other: without this
// gate a stranger's server would run commands on the cluster. The list is required, so a missing
// setting can never mean "every server".
import { DISCORD_GUILD_IDS_PROBLEM } from '../../config/read-chat-config.js';
import { ConfigError } from '../../config-error.js';

/** What a person in another server, or in a DM, is told; nothing runs. */
export const NOT_SERVED_ANSWER =
  '🚫 This bot serves only the Discord server it was set up for, not this one (nor direct messages). Nothing ran.';

/** The served guild ids; a ConfigError naming DISCORD_GUILD_IDS when there are none. */
export function servedGuilds(guildIds: readonly string[] | undefined): ReadonlySet<string> {
  const served = new Set((guildIds ?? []).map((id) => id.trim()).filter((id) => id !== ''));
  if (served.size === 0) throw new ConfigError([`DISCORD_GUILD_IDS: ${DISCORD_GUILD_IDS_PROBLEM}`]);
  return served;
}
