// `pve-chatops discord:register [--env-file FILE]`: registers `/pve` with Discord for
// DISCORD_GUILD_ID, or globally without it. Needs DISCORD_TOKEN and DISCORD_APPLICATION_ID only.
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config.js';
import { registerCommands } from './register-commands.js';

export const REGISTER_USAGE = `Usage: pve-chatops discord:register [--env-file FILE]

Registers the /pve slash command and its subcommands with Discord: in the guild DISCORD_GUILD_ID
(at once), or globally when it is not set (Discord may take up to an hour to show them).
Needs DISCORD_TOKEN and DISCORD_APPLICATION_ID; configuration comes from the environment and
FILE (default .env).
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
  const result = await registerCommands(discord);
  const where =
    result.scope === 'guild' ? `in guild ${discord.guildId}` : 'globally (visible within an hour)';
  process.stdout.write(`Registered /pve ${where}: ${result.subcommands.join(', ')}\n`);
}
