// OPS_PORT, OPS_HOST, METRICS_TOKEN (where /metrics is served) and SLACK_TEAM_IDS,
// SLACK_ENTERPRISE_IDS (which Slack workspaces are served), as loadConfig reads them.
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

const slack = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'signing-secret' };

describe('ops endpoints configuration', () => {
  it('has no listener of its own and no metrics token by default', () => {
    expect(loadConfig({ env: {} }).ops).toEqual({ host: '127.0.0.1' });
  });

  it('reads a listener of its own, its address and a token; the token is a secret to scrub', () => {
    const token = 'b7f3c1d2e4a5968778695a4b3c2d1e0f';
    const config = loadConfig({ env: { OPS_PORT: '9464', OPS_HOST: '0.0.0.0', METRICS_TOKEN: token } });
    expect(config.ops).toEqual({ port: 9464, host: '0.0.0.0', metricsToken: token });
    expect(configuredSecrets(config)).toContain(token);
  });

  it('refuses a port shared with PORT, an address without a port, and a short or odd token', () => {
    expect(problems({ PORT: '3000', OPS_PORT: '3000' })).toEqual([
      'OPS_PORT: must differ from PORT (3000): it is a listener of its own for /metrics',
    ]);
    expect(problems({ OPS_PORT: 'ninety' })).toEqual([
      "OPS_PORT: must be a TCP port number from 0 to 65535 (got 'ninety')",
    ]);
    expect(problems({ OPS_HOST: '0.0.0.0' })).toEqual([
      'OPS_HOST: is only read with OPS_PORT: set OPS_PORT too (e.g. 9464), or remove OPS_HOST',
    ]);
    const tokenProblem =
      'METRICS_TOKEN: must be at least 16 characters of letters, digits and ._~+/=- (a Bearer token), e.g. from `openssl rand -hex 24`';
    expect(problems({ METRICS_TOKEN: 'short' })).toEqual([tokenProblem]);
    expect(problems({ METRICS_TOKEN: 'has spaces in it, sixteen+' })).toEqual([tokenProblem]);
  });
});

describe('Slack workspaces configuration', () => {
  it('serves no other workspace unless named', () => {
    expect(loadConfig({ env: slack }).slack).toMatchObject({ teamIds: [], enterpriseIds: [] });
  });

  it('reads workspace and organisation ids, comma-separated', () => {
    const config = loadConfig({
      env: { ...slack, SLACK_TEAM_IDS: 'T024BE7LD, T0PARTNER', SLACK_ENTERPRISE_IDS: 'E0AB12CD3' },
    });
    expect(config.slack).toMatchObject({ teamIds: ['T024BE7LD', 'T0PARTNER'], enterpriseIds: ['E0AB12CD3'] });
  });

  it('refuses ids that are not workspace or organisation ids', () => {
    expect(
      problems({ ...slack, SLACK_TEAM_IDS: 'T024BE7LD,acme', SLACK_ENTERPRISE_IDS: 'T024BE7LD' }),
    ).toEqual([
      "SLACK_TEAM_IDS: must be workspace ids such as T024BE7LD, comma-separated (got 'acme')",
      "SLACK_ENTERPRISE_IDS: must be Enterprise Grid organisation ids such as E0AB12CD3, comma-separated (got 'T024BE7LD')",
    ]);
  });
});
