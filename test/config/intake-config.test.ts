// INTAKE_CONCURRENCY and INTAKE_CLAIM_IDLE_MS (how a bot replica takes commands from the intake,
// and how soon it takes over a dead replica's), as loadConfig reads them.
import { describe, expect, it } from 'vitest';
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

describe('command intake configuration', () => {
  it('handles 8 at once and takes over after 15 s by default', () => {
    expect(loadConfig({ env: {} }).intake).toEqual({ concurrency: 8, claimIdleMs: 15_000 });
  });

  it('reads both variables', () => {
    const config = loadConfig({ env: { INTAKE_CONCURRENCY: '32', INTAKE_CLAIM_IDLE_MS: '1000' } });
    expect(config.intake).toEqual({ concurrency: 32, claimIdleMs: 1000 });
  });

  it('refuses what the intake could not run with, saying what would do', () => {
    expect(problems({ INTAKE_CONCURRENCY: '0', INTAKE_CLAIM_IDLE_MS: '100' })).toEqual([
      "INTAKE_CONCURRENCY: must be a whole number from 1 to 256 (got '0')",
      "INTAKE_CLAIM_IDLE_MS: must be milliseconds from 500 to 30000 (got '100')",
    ]);
    expect(problems({ INTAKE_CONCURRENCY: 'many', INTAKE_CLAIM_IDLE_MS: '15s' })).toEqual([
      "INTAKE_CONCURRENCY: must be a whole number from 1 to 256 (got 'many')",
      "INTAKE_CLAIM_IDLE_MS: must be milliseconds from 500 to 30000 (got '15s')",
    ]);
  });
});
