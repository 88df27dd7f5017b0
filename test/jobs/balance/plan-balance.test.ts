// The balance planner, alone: what it proposes, what it refuses to do, and that it never
// proposes to undo its own work.
import { describe, expect, it } from 'vitest';
import { balanceHeadline, describeBalancePlan } from '../../../src/jobs/balance/describe-balance-plan.js';
import { planBalance } from '../../../src/jobs/balance/plan-balance.js';
import { seededRandom } from '../../../src/sim/cluster/seeded-random.js';
import { applyPlan, cluster, GiB, guest, memoryPercent, NOW, node, spread } from './balance-fixtures.js';

const NODES = [node('node01'), node('node02'), node('node03')];

/** node01 carries 40 GiB of guests, node02 8 GiB, node03 nothing. */
function skewed() {
  return [
    guest(101, 'node01', 8),
    guest(102, 'node01', 8),
    guest(103, 'node01', 8),
    guest(104, 'node01', 4),
    guest(105, 'node01', 4),
    guest(106, 'node01', 4),
    guest(107, 'node01', 4),
    guest(201, 'node02', 8),
  ];
}

describe('planBalance', () => {
  it('brings a skewed cluster under the threshold without overcommitting a node', () => {
    const input = cluster(NODES, skewed());
    const plan = planBalance(input);
    expect(plan.outcome).toBe('moves');
    expect(plan.spreadBefore).toBeGreaterThan(50);
    expect(plan.spreadAfter).toBeLessThanOrEqual(input.settings.thresholdPoints);
    expect(plan.moves.every((m) => m.from === 'node01' || m.from === 'node02')).toBe(true);
    // The projection is what applying the moves gives.
    const after = applyPlan(input, plan);
    const percent = memoryPercent(after);
    expect(spread(Object.values(percent))).toBeCloseTo(plan.spreadAfter, 0);
    for (const n of plan.nodes) expect(n.after).toBeCloseTo(percent[n.node]!, 0);
    // Headroom: no node above 90 % with its guests at full assigned memory.
    for (const value of Object.values(percent)) expect(value).toBeLessThanOrEqual(90);
    expect(plan.moves[0]!.why).toMatch(/^node01 \d+(\.\d)? % → \d+(\.\d)? %, node0[23] \d+(\.\d)? % → /);
    expect(describeBalancePlan(plan)).toContain(`Plan ${plan.hash}, by memory`);
  });

  it('answers "balanced" for a balanced cluster and proposes nothing', () => {
    const input = cluster(NODES, [guest(101, 'node01', 8), guest(201, 'node02', 8), guest(301, 'node03', 6)]);
    const plan = planBalance(input);
    expect(plan).toMatchObject({ outcome: 'balanced', moves: [] });
    expect(balanceHeadline(plan)).toMatch(
      /^No beneficial move: the memory spread is [\d.]+ points, within the threshold of 15; the cluster is balanced$/,
    );
  });

  it('answers "no beneficial move" when nothing allowed would help enough', () => {
    // One huge guest: moving it only moves the imbalance.
    const input = cluster(NODES, [guest(101, 'node01', 24)]);
    const plan = planBalance(input);
    expect(plan.outcome).toBe('no-benefit');
    expect(plan.moves).toEqual([]);
    expect(plan.spreadAfter).toBe(plan.spreadBefore);
    expect(balanceHeadline(plan)).toMatch(
      /^No beneficial move: the memory spread is [\d.]+ points, but no allowed move would narrow it by 5 points or more$/,
    );
  });

  it('keeps guests with the same plb_anti_affinity tag apart', () => {
    // 103 is the biggest guest: without tags its first move goes to the idle node03.
    const guests = skewed();
    guests[2]!.maxmem = 16 * GiB;
    const lonely = guest(301, 'node03', 1);
    const control = planBalance(cluster(NODES, [...guests, lonely]));
    expect(control.moves).toContainEqual(expect.objectContaining({ vmid: 103, to: 'node03' }));
    // With 301 on node03 sharing its anti-affinity tag, 103 must end up elsewhere.
    guests[2]!.tags = ['plb_anti_affinity_db'];
    const input = cluster(NODES, [...guests, { ...lonely, tags: ['plb_anti_affinity_db'] }]);
    const plan = planBalance(input);
    expect(plan.outcome).toBe('moves');
    const after = applyPlan(input, plan);
    const where = (vmid: number) => after.guests.find((g) => g.vmid === vmid)!.node;
    expect(where(301)).toBe('node03');
    expect(where(103)).not.toBe('node03');
  });

  it('moves guests with the same plb_affinity tag together, or not at all', () => {
    const guests = skewed();
    guests[0]!.tags = ['plb_affinity_app'];
    guests[1]!.tags = ['plb_affinity_app'];
    const plan = planBalance(cluster(NODES, guests, { maxMoves: 20 }));
    const a = plan.moves.find((m) => m.vmid === 101);
    const b = plan.moves.find((m) => m.vmid === 102);
    expect(a?.to).toBe(b?.to);
  });

  it('keeps a pinned guest home and says why', () => {
    const guests = skewed().map((g) => (g.node === 'node01' ? { ...g, tags: ['plb_pin_node01'] } : g));
    guests[6]!.tags = [];
    const plan = planBalance(cluster(NODES, guests));
    expect(plan.moves.map((m) => m.vmid)).toEqual([107]);
    expect(plan.skipped).toContainEqual({
      reason: 'kept on node01 by tag plb_pin_node01',
      guests: [
        'vm101 (qemu/101)',
        'vm102 (qemu/102)',
        'vm103 (qemu/103)',
        'vm104 (qemu/104)',
        'vm105 (qemu/105)',
        'vm106 (qemu/106)',
      ],
    });
  });

  it('does not move a guest within its cooldown, nor templates, locked or ignored guests', () => {
    const guests = skewed();
    guests[0]!.lock = 'backup';
    guests[1]!.tags = ['plb_ignore_vm'];
    guests.push(guest(9000, 'node01', 2, { template: true, status: 'stopped' }));
    const recentMoves = new Map([[103, NOW - 10 * 60_000]]);
    const plan = planBalance(cluster(NODES, guests, { maxMoves: 20 }, { recentMoves }));
    const moved = plan.moves.map((m) => m.vmid);
    expect(moved).not.toContain(101);
    expect(moved).not.toContain(102);
    expect(moved).not.toContain(103);
    expect(moved).not.toContain(9000);
    expect(plan.skipped.map((s) => s.reason)).toEqual(
      expect.arrayContaining([
        'locked (backup)',
        'ignored (tag plb_ignore_vm)',
        'migrated within the last 60 min (cooldown)',
      ]),
    );
    // Past the cooldown it may move again.
    const later = planBalance(
      cluster(NODES, guests, { maxMoves: 20 }, { recentMoves, now: NOW + 61 * 60_000 }),
    );
    expect(later.skipped.map((s) => s.reason)).not.toContain('migrated within the last 60 min (cooldown)');
  });

  it('never plans a move that would overcommit a node, even when it is the idlest by CPU', () => {
    // node03's CPU is idle but its memory is nearly full: by CPU it is the obvious target.
    const nodes = [
      node('node01', { cpu: 0.5 }),
      node('node02', { cpu: 0.45 }),
      node('node03', { mem: 52 * GiB }),
    ];
    const guests = [
      guest(101, 'node01', 8, { cpu: 1, maxcpu: 8 }),
      guest(102, 'node01', 4, { cpu: 1, maxcpu: 4 }),
    ];
    const plan = planBalance(cluster(nodes, guests, { method: 'cpu' }));
    // 52 + 4 = 56 GiB > 90 % of 64 GiB (57.6)? no: 4 GiB fits, 8 GiB does not.
    expect(plan.moves.filter((m) => m.to === 'node03').map((m) => m.vmid)).toEqual([102]);
    const after = applyPlan(cluster(nodes, guests, { method: 'cpu' }), plan);
    for (const value of Object.values(memoryPercent(after))) expect(value).toBeLessThanOrEqual(90);
  });

  it('moves an HA guest only to the highest-priority nodes of its node-affinity rule', () => {
    const guests = skewed().map((g) => ({ ...g, hastate: 'started' }));
    const ha = [
      {
        name: 'HA rule prefer-2',
        kind: 'node-affinity' as const,
        sids: guests.map((g) => `vm:${g.vmid}`),
        nodes: [
          { node: 'node01', priority: 2 },
          { node: 'node02', priority: 2 },
          { node: 'node03', priority: 1 },
        ],
      },
    ];
    const plan = planBalance(cluster(NODES, guests, {}, { ha }));
    expect(plan.moves.length).toBeGreaterThan(0);
    expect(plan.moves.every((m) => m.to === 'node02')).toBe(true);
  });

  it('reads HA resource affinity: negative keeps apart, positive moves together', () => {
    const guests = skewed();
    const ha = [
      {
        name: 'HA rule apart',
        kind: 'resource-affinity' as const,
        sids: ['vm:101', 'vm:201'],
        affinity: 'negative' as const,
      },
      {
        name: 'HA rule together',
        kind: 'resource-affinity' as const,
        sids: ['vm:102', 'vm:103'],
        affinity: 'positive' as const,
      },
    ];
    const input = cluster(NODES, guests, { maxMoves: 20 }, { ha });
    const after = applyPlan(input, planBalance(input));
    const where = (vmid: number) => after.guests.find((g) => g.vmid === vmid)!.node;
    expect(where(101)).not.toBe(where(201));
    expect(where(102)).toBe(where(103));
  });

  it('prefers live migrations: a running container (restart mode) only when it helps clearly more', () => {
    const input = cluster(NODES, [
      guest(101, 'node01', 8, { type: 'lxc' }),
      guest(102, 'node01', 8),
      guest(103, 'node01', 8),
      guest(104, 'node01', 8),
    ]);
    const plan = planBalance(input);
    expect(plan.outcome).toBe('moves');
    expect(plan.moves.map((m) => m.vmid)).not.toContain(101);
    expect(plan.moves.every((m) => m.mode === 'live')).toBe(true);
    // Alone on the busiest node, the container is the move to make, in restart mode.
    const only = planBalance(
      cluster(NODES, [guest(101, 'node01', 12, { type: 'lxc' }), guest(102, 'node01', 12, { type: 'lxc' })]),
    );
    expect(only.moves[0]).toMatchObject({ vmid: 101, mode: 'restart' });
  });

  it('makes no move for crumbs: each takes a point or more off its source, and none widens the spread', () => {
    // ct-dns-like 0.5 GiB guests are under a point of a 64 GiB node.
    const crumbs = [301, 302, 303, 304].map((vmid) => guest(vmid, 'node01', 0.5));
    const input = cluster(NODES, [...skewed(), ...crumbs], { maxMoves: 100 });
    const plan = planBalance(input);
    expect(plan.moves.some((m) => m.vmid >= 301)).toBe(false);
    let state = input;
    let spreadNow = spread(Object.values(memoryPercent(state)));
    for (const move of plan.moves) {
      state = applyPlan(state, { ...plan, moves: [move] });
      const next = spread(Object.values(memoryPercent(state)));
      expect(next).toBeLessThanOrEqual(spreadNow + 1e-9);
      spreadNow = next;
    }
  });

  it('balances two equally busy nodes, although the first move narrows nothing', () => {
    const nodes = [node('node01'), node('node02'), node('node03'), node('node04')];
    const guests = [101, 102, 103, 104].flatMap((i) => [guest(i, 'node01', 8), guest(i + 100, 'node02', 8)]);
    const plan = planBalance(cluster(nodes, guests));
    expect(plan.outcome).toBe('moves');
    expect(plan.spreadAfter).toBeLessThanOrEqual(15);
    expect(new Set(plan.moves.map((m) => m.from))).toEqual(new Set(['node01', 'node02']));
  });

  it('leaves offline nodes and nodes in maintenance out', () => {
    const nodes = [node('node01'), node('node02', { maintenance: true }), node('node03', { online: false })];
    const plan = planBalance(cluster(nodes, skewed()));
    expect(plan.outcome).toBe('balanced');
    expect(plan.excludedNodes).toEqual([
      { node: 'node02', reason: 'in HA maintenance mode' },
      { node: 'node03', reason: 'offline' },
    ]);
  });

  it('hashes the moves: the same cluster gives the same hash, other moves another', () => {
    const a = planBalance(cluster(NODES, skewed()));
    const b = planBalance(cluster(NODES, skewed()));
    expect(a.hash).toMatch(/^[0-9a-f]{12}$/);
    expect(b.hash).toBe(a.hash);
    const c = planBalance(cluster(NODES, skewed().slice(1)));
    expect(c.hash).not.toBe(a.hash);
  });

  it('proposes nothing when run again on its own result (no ping-pong), on 300 random clusters', () => {
    const random = seededRandom(4242);
    let planned = 0;
    for (let run = 0; run < 300; run += 1) {
      const nodeCount = 2 + Math.floor(random() * 6);
      const nodes = Array.from({ length: nodeCount }, (_, i) =>
        node(`n${i + 1}`, { maxmem: (32 + Math.floor(random() * 4) * 32) * GiB, cpu: random() * 0.1 }),
      );
      const guests = Array.from({ length: 5 + Math.floor(random() * 40) }, (_, i) =>
        guest(100 + i, nodes[Math.floor(random() ** 2 * nodeCount)]!.name, 1 + Math.floor(random() * 8), {
          cpu: random(),
          maxcpu: 1 + Math.floor(random() * 4),
          type: random() < 0.2 ? 'lxc' : 'qemu',
        }),
      );
      const method = random() < 0.5 ? 'memory' : 'cpu';
      const input = cluster(nodes, guests, { method, maxMoves: 100 });
      const plan = planBalance(input);
      if (plan.outcome === 'moves') planned += 1;
      const again = planBalance(applyPlan(input, plan));
      expect(again.moves, `run ${run}`).toEqual([]);
      expect(plan.spreadAfter).toBeLessThanOrEqual(plan.spreadBefore);
      const after = memoryPercent(applyPlan(input, plan));
      for (const m of plan.moves) expect(after[m.to]!, `run ${run}`).toBeLessThanOrEqual(90 + 1e-9);
    }
    expect(planned).toBeGreaterThan(50);
  });
});
