// How long `/pve balance` takes to plan on a 64-node, 5,000-guest cluster: the whole read and
// plan against the simulator (what the planning job does), and the pure planner alone on a
// skewed cluster of that size where it has to find its full 10 moves (the greedy loop's worst
// case). Measured here only: tests never assert time.
import { DEFAULT_BALANCE_SETTINGS } from '../src/config/balance-settings.js';
import { type BalanceInput, planBalance } from '../src/jobs/balance/plan-balance.js';
import { readBalanceInput } from '../src/jobs/balance/read-balance-input.js';
import type { KindState } from '../src/jobs/kind-state.js';
import { seededRandom } from '../src/sim/cluster/seeded-random.js';
import { startCountedSimulator } from './counted-simulator.js';
import { type BenchRow, percentile } from './report.js';

const ROUNDS = 15;
const GiB = 1024 ** 3;
const TARGET_MS = 2_000;

const noMemory: KindState = { get: async () => undefined, set: async () => undefined };

async function readAndPlan(): Promise<{ calls: number; p50: number; max: number; moves: number }> {
  const counted = await startCountedSimulator(64, 5000);
  const pve = counted.client;
  const reader = { pve, state: noMemory, signal: new AbortController().signal };
  const settings = { ...DEFAULT_BALANCE_SETTINGS, method: 'cpu' as const };
  try {
    await readBalanceInput(reader, settings); // warm-up: TLS handshakes, JIT
    counted.resetCalls();
    const durations: number[] = [];
    let moves = 0;
    for (let round = 0; round < ROUNDS; round += 1) {
      const started = performance.now();
      moves = planBalance(await readBalanceInput(reader, settings)).moves.length;
      durations.push(performance.now() - started);
    }
    durations.sort((a, b) => a - b);
    return { calls: counted.calls() / ROUNDS, p50: percentile(durations, 50), max: durations.at(-1)!, moves };
  } finally {
    await counted.stop();
  }
}

/**
 * 64 nodes of 512 GiB, 5,000 running guests of 2–8 GiB round-robin (about 70 % memory each),
 * and node01 and node02 carrying 20 guests more: the greedy loop must find its full 10 moves
 * among 5,000 candidates and 63 targets each time.
 */
function skewedInput(): BalanceInput {
  const random = seededRandom(64_5000);
  const nodes = Array.from({ length: 64 }, (_, i) => ({
    name: `node${String(i + 1).padStart(2, '0')}`,
    online: true,
    maintenance: false,
    mem: 8 * GiB,
    maxmem: 512 * GiB,
    cpu: 0.02,
    maxcpu: 64,
  }));
  const guests = Array.from({ length: 5000 }, (_, i) => {
    const node = nodes[i < 40 ? i % 2 : i % 64]!;
    const gib = [2, 4, 8][Math.floor(random() * 3)]!;
    node.mem += gib * GiB;
    return {
      vmid: 100 + i,
      type: 'qemu' as const,
      name: `vm${i}`,
      node: node.name,
      status: 'running',
      template: false,
      maxmem: gib * GiB,
      cpu: random() * 0.5,
      maxcpu: 2,
      tags: i % 50 === 0 ? ['plb_anti_affinity_db'] : [],
    };
  });
  return {
    nodes,
    guests,
    ha: [],
    recentMoves: new Map(),
    now: Date.now(),
    settings: DEFAULT_BALANCE_SETTINGS,
  };
}

function pureSkewed(): { p50: number; max: number; moves: number } {
  const input = skewedInput();
  planBalance(input); // warm-up
  const durations: number[] = [];
  let moves = 0;
  for (let round = 0; round < ROUNDS; round += 1) {
    const started = performance.now();
    moves = planBalance(input).moves.length;
    durations.push(performance.now() - started);
  }
  durations.sort((a, b) => a - b);
  return { p50: percentile(durations, 50), max: durations.at(-1)!, moves };
}

export async function benchBalancePlan(): Promise<BenchRow[]> {
  const sim = await readAndPlan();
  const pure = pureSkewed();
  return [
    {
      what: 'balance plan, read + plan, 64 nodes / 5,000 guests (simulator, cpu)',
      measured: `p50 ${sim.p50.toFixed(0)} ms, max ${sim.max.toFixed(0)} ms, ${sim.calls} PVE calls, ${sim.moves} moves`,
      target: `≤ ${TARGET_MS / 1000} s (ours)`,
      ok: sim.max <= TARGET_MS,
      values: { p50Ms: sim.p50, maxMs: sim.max, calls: sim.calls, moves: sim.moves },
    },
    {
      what: 'balance planner alone, skewed 64 nodes / 5,000 guests (10 moves)',
      measured: `p50 ${pure.p50.toFixed(0)} ms, max ${pure.max.toFixed(0)} ms, ${pure.moves} moves`,
      target: '—',
      values: { p50Ms: pure.p50, maxMs: pure.max, moves: pure.moves },
    },
  ];
}
