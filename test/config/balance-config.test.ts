import { describe, expect, it } from 'vitest';
import { DEFAULT_BALANCE_SETTINGS } from '../../src/config/balance-settings.js';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('balance configuration', () => {
  it('defaults every BALANCE_* setting', () => {
    expect(loadConfig({ env: {} }).balance).toEqual(DEFAULT_BALANCE_SETTINGS);
    expect(DEFAULT_BALANCE_SETTINGS).toMatchObject({
      method: 'memory',
      maxMoves: 10,
      headroomPercent: 10,
      thresholdPoints: 15,
      minGainPoints: 5,
      cooldownMinutes: 60,
      parallelPerNode: 1,
    });
  });

  it('reads the variables', () => {
    const config = loadConfig({
      env: {
        BALANCE_METHOD: 'cpu',
        BALANCE_MAX_MOVES: '3',
        BALANCE_HEADROOM_PERCENT: '12.5',
        BALANCE_THRESHOLD_POINTS: '20',
        BALANCE_MIN_GAIN_POINTS: '2',
        BALANCE_COOLDOWN_MINUTES: '0',
        BALANCE_PARALLEL_PER_NODE: '2',
      },
    });
    expect(config.balance).toEqual({
      method: 'cpu',
      maxMoves: 3,
      headroomPercent: 12.5,
      thresholdPoints: 20,
      minGainPoints: 2,
      cooldownMinutes: 0,
      parallelPerNode: 2,
    });
  });

  it('says what is wrong with each bad value and what would be right', () => {
    let problems: readonly string[] = [];
    try {
      loadConfig({
        env: { BALANCE_METHOD: 'disk', BALANCE_MAX_MOVES: '0', BALANCE_PARALLEL_PER_NODE: '1.5' },
      });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      problems = (error as ConfigError).problems;
    }
    expect(problems).toEqual([
      "BALANCE_METHOD: must be memory or cpu (got 'disk')",
      "BALANCE_MAX_MOVES: must be a whole number from 1 to 100, migrations per plan, e.g. 10 (got '0')",
      "BALANCE_PARALLEL_PER_NODE: must be a whole number from 1 to 4, migrations at once per node, e.g. 1 (got '1.5')",
    ]);
  });
});
