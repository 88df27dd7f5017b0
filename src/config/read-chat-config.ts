import type { DiscordConfig, SlackConfig } from './config-types.js';
import { type Environment, isUrl, list, type Problem } from './environment.js';

export function readSlack(env: Environment, needed: boolean, problem: Problem): SlackConfig | undefined {
  const anySet = [env.SLACK_BOT_TOKEN, env.SLACK_SIGNING_SECRET, env.SLACK_APP_TOKEN].some(
    (v) => v !== undefined,
  );
  if (!needed && !anySet) return undefined;
  if (!env.SLACK_BOT_TOKEN) problem('SLACK_BOT_TOKEN', 'is required for Slack: the bot token (xoxb-…)');
  if (!env.SLACK_SIGNING_SECRET && !env.SLACK_APP_TOKEN) {
    problem(
      'SLACK_SIGNING_SECRET / SLACK_APP_TOKEN',
      'set SLACK_SIGNING_SECRET for HTTP mode (POST /slack/events) or SLACK_APP_TOKEN (xapp-…) for Socket Mode',
    );
  }
  if (env.SLACK_APP_TOKEN && !env.SLACK_APP_TOKEN.startsWith('xapp-')) {
    problem(
      'SLACK_APP_TOKEN',
      'must be an app-level token starting with xapp- (Basic Information → App-Level Tokens)',
    );
  }
  if (env.SLACK_API_URL && !isUrl(env.SLACK_API_URL, ['http:', 'https:'])) {
    problem('SLACK_API_URL', `must be an http(s) URL (got '${env.SLACK_API_URL}')`);
  }
  // Served besides the bot's own workspace (or organisation), which auth.test names at start.
  const teamIds = list(env.SLACK_TEAM_IDS);
  const badTeams = teamIds.filter((id) => !/^T[A-Z0-9]{2,}$/.test(id));
  if (badTeams.length > 0) {
    problem(
      'SLACK_TEAM_IDS',
      `must be workspace ids such as T024BE7LD, comma-separated (got '${badTeams.join(', ')}')`,
    );
  }
  const enterpriseIds = list(env.SLACK_ENTERPRISE_IDS);
  const badEnterprises = enterpriseIds.filter((id) => !/^E[A-Z0-9]{2,}$/.test(id));
  if (badEnterprises.length > 0) {
    problem(
      'SLACK_ENTERPRISE_IDS',
      `must be Enterprise Grid organisation ids such as E0AB12CD3, comma-separated (got '${badEnterprises.join(', ')}')`,
    );
  }
  if (!env.SLACK_BOT_TOKEN || (!env.SLACK_SIGNING_SECRET && !env.SLACK_APP_TOKEN)) return undefined;
  return {
    botToken: env.SLACK_BOT_TOKEN,
    signingSecret: env.SLACK_SIGNING_SECRET,
    appToken: env.SLACK_APP_TOKEN,
    apiUrl: env.SLACK_API_URL,
    teamIds,
    enterpriseIds,
  };
}

/** Why Discord will not start without its servers, and how to name them (the adapter says it too). */
export const DISCORD_GUILD_IDS_PROBLEM =
  'is required for Discord: the ids of the servers (guilds) the bot serves, comma-separated ' +
  '(in Discord: User Settings → Advanced → Developer Mode, then right-click the server → Copy Server ID); ' +
  'interactions from any other server or from a DM are refused, so without it the bot would serve nobody';

/**
 * `serves`: this process runs the chat adapters (`all`, `bot`), so a configured Discord must name
 * the servers it serves; a worker sharing the same environment is not asked for them.
 */
export function readDiscord(
  env: Environment,
  needed: boolean,
  problem: Problem,
  serves = needed,
): DiscordConfig | undefined {
  const anySet = [env.DISCORD_TOKEN, env.DISCORD_APPLICATION_ID].some((v) => v !== undefined);
  if (!needed && !anySet) return undefined;
  if (!env.DISCORD_TOKEN)
    problem('DISCORD_TOKEN', 'is required for Discord: the bot token (Developer Portal → Bot)');
  if (!env.DISCORD_APPLICATION_ID) {
    problem(
      'DISCORD_APPLICATION_ID',
      'is required for Discord: the application id (Developer Portal → General)',
    );
  } else if (!/^\d{17,20}$/.test(env.DISCORD_APPLICATION_ID)) {
    problem('DISCORD_APPLICATION_ID', `must be a numeric snowflake id (got '${env.DISCORD_APPLICATION_ID}')`);
  }
  if (env.DISCORD_GUILD_ID && !/^\d{17,20}$/.test(env.DISCORD_GUILD_ID)) {
    problem('DISCORD_GUILD_ID', `must be a numeric snowflake id (got '${env.DISCORD_GUILD_ID}')`);
  }
  // The servers served: DISCORD_GUILD_IDS, and DISCORD_GUILD_ID (one server) as before. Required:
  // anyone can invite a bot to their own server, and a missing setting must not mean "any".
  const listedGuilds = list(env.DISCORD_GUILD_IDS);
  const badGuilds = listedGuilds.filter((id) => !/^\d{17,20}$/.test(id));
  if (badGuilds.length > 0) {
    problem(
      'DISCORD_GUILD_IDS',
      `must be numeric snowflake ids, comma-separated (got '${badGuilds.join(', ')}')`,
    );
  }
  const guildIds = [...new Set([...listedGuilds, ...(env.DISCORD_GUILD_ID ? [env.DISCORD_GUILD_ID] : [])])];
  if (guildIds.length === 0 && (needed || serves)) problem('DISCORD_GUILD_IDS', DISCORD_GUILD_IDS_PROBLEM);
  if (env.DISCORD_API_URL && !isUrl(env.DISCORD_API_URL, ['http:', 'https:'])) {
    problem('DISCORD_API_URL', `must be an http(s) URL (got '${env.DISCORD_API_URL}')`);
  }
  if (!env.DISCORD_TOKEN || !env.DISCORD_APPLICATION_ID) return undefined;
  return {
    token: env.DISCORD_TOKEN,
    applicationId: env.DISCORD_APPLICATION_ID,
    guildIds,
    apiUrl: env.DISCORD_API_URL,
  };
}
