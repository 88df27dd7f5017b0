// Which Discord servers the bot serves comes from the configuration, and a missing setting never
// means "any server": Discord configured without DISCORD_GUILD_IDS (or DISCORD_GUILD_ID) does not
// start, with a message that names the variable and how to find the ids.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { ConfigError } from '../../src/config-error.js';

const DISCORD = {
  REDIS_URL: 'redis://127.0.0.1:6379',
  DISCORD_TOKEN: 'discord-bot-token',
  DISCORD_APPLICATION_ID: '100000000000000001',
};

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig({ env, needs: ['chat'] });
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('Discord servers in the configuration', () => {
  it('serves the servers of DISCORD_GUILD_IDS and DISCORD_GUILD_ID, each once', () => {
    const config = loadConfig({
      env: {
        ...DISCORD,
        DISCORD_GUILD_IDS: '100000000000000003, 100000000000000004,',
        DISCORD_GUILD_ID: '100000000000000004',
      },
      needs: ['chat'],
    });
    expect(config.discord?.guildIds).toEqual(['100000000000000003', '100000000000000004']);
    expect(
      loadConfig({ env: { ...DISCORD, DISCORD_GUILD_ID: '100000000000000005' } }).discord?.guildIds,
    ).toEqual(['100000000000000005']);
  });

  it('refuses to start Discord without them, naming DISCORD_GUILD_IDS and how to find the ids', () => {
    const problems = problemsOf(DISCORD);
    expect(problems).toEqual([expect.stringMatching(/^DISCORD_GUILD_IDS: is required for Discord/)]);
    expect(problems[0]).toMatch(/Copy Server ID/);
    // Also when only asked to register the command.
    expect(() => loadConfig({ env: DISCORD, needs: ['discord'] })).toThrow(/DISCORD_GUILD_IDS/);
  });

  it('refuses ids that are not snowflakes', () => {
    expect(problemsOf({ ...DISCORD, DISCORD_GUILD_IDS: '100000000000000003,my-server' })).toEqual([
      "DISCORD_GUILD_IDS: must be numeric snowflake ids, comma-separated (got 'my-server')",
    ]);
  });

  it('asks a worker sharing the environment nothing: it serves no chat', () => {
    expect(loadConfig({ env: DISCORD, needs: [] }).discord?.guildIds).toEqual([]);
  });

  it('asks nothing of a process without Discord', () => {
    expect(
      problemsOf({
        REDIS_URL: 'redis://127.0.0.1:6379',
        SLACK_BOT_TOKEN: 'xoxb-1',
        SLACK_APP_TOKEN: 'xapp-1',
      }),
    ).toEqual([]);
  });
});
