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

describe('queue dashboard configuration', () => {
  it('is off by default', () => {
    expect(loadConfig({ env: {} }).dashboard).toBeUndefined();
  });

  it('is on with a user and a long password, at /admin/queues unless told otherwise', () => {
    const password = 'correct-horse-battery-staple';
    const config = loadConfig({ env: { DASHBOARD_USER: 'ops', DASHBOARD_PASSWORD: password } });
    expect(config.dashboard).toEqual({ user: 'ops', password, path: '/admin/queues' });
    expect(configuredSecrets(config)).toContain(password);
  });

  it('refuses half a configuration, a short password and a path that collides', () => {
    expect(problems({ DASHBOARD_USER: 'ops' })).toEqual([
      'DASHBOARD_PASSWORD: is required with DASHBOARD_USER: the password of the queue dashboard',
    ]);
    expect(problems({ DASHBOARD_USER: 'ops', DASHBOARD_PASSWORD: 'short' })).toEqual([
      'DASHBOARD_PASSWORD: must be at least 16 characters, e.g. from `openssl rand -base64 24`',
    ]);
    expect(problems({ DASHBOARD_PATH: '/metrics/queues' })).toEqual([
      "DASHBOARD_PATH: must be a URL path of its own such as /admin/queues (got '/metrics/queues')",
    ]);
  });
});
