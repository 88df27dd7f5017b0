import { describe, expect, it } from 'vitest';
import { configuredSecrets } from '../src/config/configured-secrets.js';
import { loadConfig } from '../src/config.js';
import { createLogger, REDACTED } from '../src/logger.js';

function capture(secrets: string[] = []) {
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug', secrets, write: (line) => lines.push(line) });
  return { logger, lines, parsed: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('the logger', () => {
  it('writes one JSON object per line with level, time and message', () => {
    const { logger, parsed } = capture();
    logger.info({ jobId: 'j1' }, 'job started');
    logger.debug({}, 'detail');
    expect(parsed()).toEqual([
      { level: 'info', time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), jobId: 'j1', msg: 'job started' },
      { level: 'debug', time: expect.any(String), msg: 'detail' },
    ]);
  });

  it('censors fields named like secrets, at the top and one level down', () => {
    const { logger, parsed } = capture();
    logger.warn(
      { token: 'xoxb-1', request: { headers: { authorization: 'PVEAPIToken=a=b' }, password: 'p' } },
      'x',
    );
    expect(parsed()[0]).toMatchObject({
      token: REDACTED,
      request: { headers: { authorization: REDACTED }, password: REDACTED },
    });
  });

  it('replaces configured secret values wherever they appear, also JSON- and URL-encoded', () => {
    const secret = 'a1b2c3d4-"quoted"/+secret';
    const { logger, lines } = capture([secret]);
    logger.error({ error: `401 for PVEAPIToken=root@pam!bot=${secret}` }, `failed with ${secret}`);
    logger.error({ url: `redis://:${encodeURIComponent(secret)}@127.0.0.1:6379` }, 'cannot connect');
    const text = lines.join('');
    expect(text).not.toContain('a1b2c3d4');
    expect(text.match(/\[redacted\]/g)).toHaveLength(3);
  });

  it('knows every secret of the configuration', () => {
    const config = loadConfig({
      env: {
        REDIS_URL: 'redis://:redis-password-1@127.0.0.1:6379',
        PVE_HOSTS: 'https://127.20.1.101:8006',
        PVE_TOKEN_ID: 'root@pam!chatops',
        PVE_TOKEN_SECRET: '11111111-2222-3333-4444-555555555555',
        PVE_FINGERPRINTS: Array(32).fill('AB').join(':'),
        SLACK_BOT_TOKEN: 'xoxb-slack-bot-token',
        SLACK_SIGNING_SECRET: 'slack-signing-secret',
        DISCORD_TOKEN: 'discord-bot-token',
        DISCORD_APPLICATION_ID: '123456789012345678',
      },
      needs: ['pve'],
    });
    expect(configuredSecrets(config).sort()).toEqual(
      [
        '11111111-2222-3333-4444-555555555555',
        'discord-bot-token',
        'redis-password-1',
        'slack-signing-secret',
        'xoxb-slack-bot-token',
      ].sort(),
    );
  });
});
