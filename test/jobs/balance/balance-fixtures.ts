// Small clusters for the planner's tests: nodes of 64 GiB / 32 threads, guests of whole GiB, and
// a way to apply a plan the way the migrations would (each moved guest takes its assigned memory
// and busy cores along).

import { type BalanceSettings, DEFAULT_BALANCE_SETTINGS } from '../../../src/config/balance-settings.js';
import type { BalancePlan } from '../../../src/jobs/balance/balance-plan.js';
import type {
  BalanceGuestInput,
  BalanceInput,
  BalanceNodeInput,
} from '../../../src/jobs/balance/plan-balance.js';

export const GiB = 1024 ** 3;
export const NOW = Date.UTC(2026, 10, 22, 12);

export function node(name: string, extra: Partial<BalanceNodeInput> = {}): BalanceNodeInput {
  return {
    name,
    online: true,
    maintenance: false,
    mem: 4 * GiB,
    maxmem: 64 * GiB,
    cpu: 0.02,
    maxcpu: 32,
    ...extra,
  };
}

export function guest(
  vmid: number,
  where: string,
  gib: number,
  extra: Partial<BalanceGuestInput> = {},
): BalanceGuestInput {
  return {
    vmid,
    type: 'qemu',
    name: `vm${vmid}`,
    node: where,
    status: 'running',
    template: false,
    maxmem: gib * GiB,
    cpu: 0.25,
    maxcpu: 2,
    tags: [],
    ...extra,
  };
}

/** Nodes whose used memory and CPU are their base plus their running guests. */
export function cluster(
  nodes: BalanceNodeInput[],
  guests: BalanceGuestInput[],
  settings: Partial<BalanceSettings> = {},
  extra: Partial<BalanceInput> = {},
): BalanceInput {
  const withLoad = nodes.map((n) => {
    const on = guests.filter((g) => g.node === n.name && g.status === 'running');
    return {
      ...n,
      mem: n.mem + on.reduce((sum, g) => sum + g.maxmem, 0),
      cpu: n.cpu + on.reduce((sum, g) => sum + g.cpu * g.maxcpu, 0) / n.maxcpu,
    };
  });
  return {
    nodes: withLoad,
    guests,
    ha: [],
    recentMoves: new Map(),
    now: NOW,
    settings: { ...DEFAULT_BALANCE_SETTINGS, ...settings },
    ...extra,
  };
}

/** The cluster as it would be after the plan's migrations. */
export function applyPlan(input: BalanceInput, plan: BalancePlan): BalanceInput {
  const nodes = input.nodes.map((n) => ({ ...n }));
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const guests = input.guests.map((g) => ({ ...g }));
  for (const move of plan.moves) {
    const g = guests.find((x) => x.vmid === move.vmid)!;
    const from = byName.get(move.from)!;
    const to = byName.get(move.to)!;
    if (g.status === 'running') {
      from.mem -= g.maxmem;
      to.mem += g.maxmem;
      from.cpu -= (g.cpu * g.maxcpu) / from.maxcpu;
      to.cpu += (g.cpu * g.maxcpu) / to.maxcpu;
    }
    g.node = move.to;
  }
  return { ...input, nodes, guests };
}

/** Memory in % per node: what the tests compare with the plan's projection. */
export function memoryPercent(input: BalanceInput): Record<string, number> {
  return Object.fromEntries(input.nodes.map((n) => [n.name, (100 * n.mem) / n.maxmem]));
}

export function spread(values: number[]): number {
  return Math.max(...values) - Math.min(...values);
}
