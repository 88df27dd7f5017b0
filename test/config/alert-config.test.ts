// PVE_NOTIFY_SECRET and the alert channels (ALERT_SLACK_CHANNEL / ALERT_DISCORD_CHANNEL, by
// default the digest's), as loadConfig reads them.
import { describe, expect, it } from 'vitest';
import { configuredSecrets } from '../../src/config/configured-secrets.js';
import { ConfigError, loadConfig } from '../../src/config.js';

function problems(env: Record<string, string>): readonly string[] {
  try {
    loadConfig({ env });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  return [];
}

describe('alert configuration', () => {
  it('is off without a secret, and the alert channels default to the digest channels', () => {
    expect(loadConfig({ env: {} }).alerts).toEqual({});
    const config = loadConfig({ env: { DIGEST_SLACK_CHANNEL: 'C0DIGEST', DIGEST_DISCORD_CHANNEL: '111' } });
    expect(config.alerts).toEqual({ slackChannel: 'C0DIGEST', discordChannel: '111' });
  });

  it('takes its own channels over the digest ones, and the secret, which the logger masks', () => {
    const secret = 'a'.repeat(16);
    const config = loadConfig({
      env: {
        DIGEST_SLACK_CHANNEL: 'C0DIGEST',
        ALERT_SLACK_CHANNEL: 'C0ALERTS',
        ALERT_DISCORD_CHANNEL: '222',
        PVE_NOTIFY_SECRET: secret,
      },
    });
    expect(config.alerts).toEqual({ notifySecret: secret, slackChannel: 'C0ALERTS', discordChannel: '222' });
    expect(configuredSecrets(config)).toContain(secret);
  });

  it('refuses a secret shorter than 16 characters or with spaces, saying what would do', () => {
    expect(problems({ PVE_NOTIFY_SECRET: 'short' })).toEqual([
      "PVE_NOTIFY_SECRET: must be 16 to 512 printable characters without spaces (e.g. the output of 'openssl rand -hex 32'); got 5 characters",
    ]);
    expect(problems({ PVE_NOTIFY_SECRET: 'sixteen chars but spaces' })).toHaveLength(1);
  });
});
