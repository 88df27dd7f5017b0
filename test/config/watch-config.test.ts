// ALERT_TASK_TYPES, ALERT_TASK_IGNORE and ALERT_STORAGE_PERCENT: what the cluster watch reports,
// as loadConfig reads them.
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

describe('cluster watch configuration', () => {
  it('reports every task type but the consoles and vzdump, and storages over 90 %, by default', () => {
    expect(loadConfig({ env: {} }).watch).toEqual({
      taskTypes: [],
      taskIgnore: ['vncproxy', 'vncshell', 'spiceproxy', 'termproxy', 'vzdump'],
      storagePercent: 90,
    });
    expect(loadConfig({ env: { ALERT_TASK_TYPES: 'all', ALERT_TASK_IGNORE: 'none' } }).watch).toMatchObject({
      taskTypes: [],
      taskIgnore: [],
    });
  });

  it('reads the lists and the percentage', () => {
    const config = loadConfig({
      env: {
        ALERT_TASK_TYPES: 'qmstart, qmigrate',
        ALERT_TASK_IGNORE: 'vncproxy',
        ALERT_STORAGE_PERCENT: '85',
      },
    });
    expect(config.watch).toEqual({
      taskTypes: ['qmstart', 'qmigrate'],
      taskIgnore: ['vncproxy'],
      storagePercent: 85,
    });
  });

  it('refuses what is not a task type or a percentage from 50 to 99, saying what would do', () => {
    expect(problems({ ALERT_TASK_TYPES: 'qmstart;vzdump', ALERT_STORAGE_PERCENT: '100' })).toEqual([
      'ALERT_TASK_TYPES: must be PVE task types separated by commas, e.g. qmstart,vzdump,aptupdate (not: qmstart;vzdump)',
      "ALERT_STORAGE_PERCENT: must be a whole percentage from 50 to 99, e.g. 90 (got '100')",
    ]);
    expect(problems({ ALERT_TASK_IGNORE: 'Vnc Proxy' })).toHaveLength(1);
    expect(problems({ ALERT_STORAGE_PERCENT: '49' })).toHaveLength(1);
  });
});
