// `pve-chatops discord:register [--env-file FILE]`: registers `/pve` with Discord in each server
// of DISCORD_GUILD_IDS. Needs DISCORD_TOKEN, DISCORD_APPLICATION_ID and the servers only.
import { parseArgs } from 'node:util';
import { registerCommands } from '../bots/discord/register-commands.js';
import { loadConfig } from '../config.js';

export const REGISTER_USAGE = `Usage: pve-chatops discord:register [--env-file FILE]

Registers the /pve slash command and its subcommands with Discord in each server the bot serves
(DISCORD_GUILD_IDS, or DISCORD_GUILD_ID); they show at once. Needs DISCORD_TOKEN,
DISCORD_APPLICATION_ID and the servers; configuration comes from the environment and FILE
(default .env).
`;

export async function runRegisterCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { 'env-file': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(REGISTER_USAGE);
    return;
  }
  const config = loadConfig({ envFile: values['env-file'] ?? '.env', needs: ['discord'] });
  const discord = config.discord!;
  const clusters = config.clusters?.map((c) => c.name) ?? [];
  const result = await registerCommands({ ...discord, clusters });
  const where = `in guild${result.guildIds.length === 1 ? '' : 's'} ${result.guildIds.join(', ')}`;
  process.stdout.write(`Registered /pve ${where}: ${result.subcommands.join(', ')}\n`);
}
