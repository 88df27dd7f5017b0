// BALANCE_*: the operator's defaults for `/pve balance` (docs/balance.md explains each).
import { type BalanceSettings, DEFAULT_BALANCE_SETTINGS } from './balance-settings.js';
import type { Environment, Problem } from './environment.js';

interface NumberVariable {
  variable: keyof Environment;
  key: Exclude<keyof BalanceSettings, 'method'>;
  min: number;
  max: number;
  integer: boolean;
  what: string;
}

const VARIABLES: NumberVariable[] = [
  {
    variable: 'BALANCE_MAX_MOVES',
    key: 'maxMoves',
    min: 1,
    max: 100,
    integer: true,
    what: 'migrations per plan',
  },
  {
    variable: 'BALANCE_HEADROOM_PERCENT',
    key: 'headroomPercent',
    min: 0,
    max: 50,
    integer: false,
    what: 'percent of a target kept free',
  },
  {
    variable: 'BALANCE_THRESHOLD_POINTS',
    key: 'thresholdPoints',
    min: 1,
    max: 100,
    integer: false,
    what: 'percentage points of spread that start a balance',
  },
  {
    variable: 'BALANCE_MIN_GAIN_POINTS',
    key: 'minGainPoints',
    min: 0,
    max: 100,
    integer: false,
    what: 'percentage points a plan must gain',
  },
  {
    variable: 'BALANCE_COOLDOWN_MINUTES',
    key: 'cooldownMinutes',
    min: 0,
    max: 10_080,
    integer: true,
    what: 'minutes a moved guest stays put',
  },
  {
    variable: 'BALANCE_PARALLEL_PER_NODE',
    key: 'parallelPerNode',
    min: 1,
    max: 4,
    integer: true,
    what: 'migrations at once per node',
  },
];

export function readBalance(env: Environment, problem: Problem): BalanceSettings {
  const settings: BalanceSettings = { ...DEFAULT_BALANCE_SETTINGS };
  const method = env.BALANCE_METHOD;
  if (method !== undefined) {
    if (method === 'memory' || method === 'cpu') settings.method = method;
    else problem('BALANCE_METHOD', `must be memory or cpu (got '${method}')`);
  }
  for (const { variable, key, min, max, integer, what } of VARIABLES) {
    const raw = env[variable];
    if (raw === undefined) continue;
    const value = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : Number.NaN;
    if (Number.isFinite(value) && value >= min && value <= max && (!integer || Number.isInteger(value)))
      settings[key] = value;
    else
      problem(
        variable,
        `must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}, ${what}, e.g. ${DEFAULT_BALANCE_SETTINGS[key]} (got '${raw}')`,
      );
  }
  return settings;
}
