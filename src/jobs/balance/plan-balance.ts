// The balance planner: pure, deterministic, no I/O. Given one read of the cluster it proposes a
// few migrations that narrow the gap between the busiest and the idlest node, or says why none
// is worth making. docs/balance.md explains the algorithm and its limits; in short:
//
// - load is memory (used / total) or CPU (busy cores / cores) per node, in %;
// - a running guest carries its assigned memory (maxmem) and its busy cores;
// - greedy: repeatedly take the allowed move that leaves the smallest spread, as long as every
//   move takes a point or more off its source, never widens the spread, and lowers the sum of
//   squared loads (a potential that only falls, so moves can never cycle), live migrations
//   preferred over restarts, and a
//   target keeps its headroom with the guest at its full assigned memory (no overcommit);
// - start only above the threshold, stop at half of it (hysteresis), and drop the whole plan if
//   it narrows the spread by less than the minimum gain ("no beneficial move").
import { createHash } from 'node:crypto';
import type { BalanceSettings } from '../../config/balance-settings.js';
import { guestLabel } from '../kinds/guest-target.js';
import type { BalanceMove, BalancePlan, NodeLoad } from './balance-plan.js';
import { type HaPlacement, type PlacementConstraints, placementConstraints } from './placement-rules.js';

export interface BalanceNodeInput {
  name: string;
  online: boolean;
  /** In HA maintenance mode: guests are leaving it, none may arrive. */
  maintenance: boolean;
  /** Bytes used and total. */
  mem: number;
  maxmem: number;
  /** Busy share of all cores, 0..1, and the number of cores (threads). */
  cpu: number;
  maxcpu: number;
}

export interface BalanceGuestInput {
  vmid: number;
  type: 'qemu' | 'lxc';
  name?: string | undefined;
  node: string;
  status?: string | undefined;
  template: boolean;
  lock?: string | undefined;
  /** Assigned memory, bytes. */
  maxmem: number;
  /** Busy share of its own cores, 0..1, and its number of cores. */
  cpu: number;
  maxcpu: number;
  tags: string[];
  /** Present when HA-managed: the HA service state. */
  hastate?: string | undefined;
}

export interface BalanceInput {
  nodes: BalanceNodeInput[];
  guests: BalanceGuestInput[];
  ha: HaPlacement[];
  /** vmid → when it last finished (or started) a migration, epoch ms. */
  recentMoves: ReadonlyMap<number, number>;
  now: number;
  settings: BalanceSettings;
}

interface NodeModel {
  name: string;
  memUsed: number;
  memTotal: number;
  coresUsed: number;
  cores: number;
}

interface Unit {
  members: BalanceGuestInput[];
  node: string;
  memWeight: number;
  coreWeight: number;
  /** Nodes it may go to (constraints of all members); undefined: any. */
  allowed: Set<string> | undefined;
  /** A running container is among its members: the move means downtime. */
  restarts: boolean;
}

const round1 = (n: number) => Math.round(n * 10) / 10;
/** A move must take at least this much load (points) off its source: no migration for crumbs. */
const MIN_MOVE_POINTS = 1;
/**
 * A running container migrates in restart mode (down for the move): it is chosen over a live
 * migration only when it narrows the spread by this many points more.
 */
const RESTART_PENALTY_POINTS = 2;
/** HA states in which the CRM will carry out a migration request. */
const HA_MOVABLE = new Set(['started', 'stopped']);

/** The approval covers this: the method and the moves, in order. */
export function balancePlanHash(method: string, moves: Pick<BalanceMove, 'vmid' | 'from' | 'to'>[]): string {
  const canonical = JSON.stringify([method, moves.map((m) => [m.vmid, m.from, m.to])]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 12);
}

export function planBalance(input: BalanceInput): BalancePlan {
  const { settings } = input;
  const memoryMethod = settings.method === 'memory';
  const keep = 1 - settings.headroomPercent / 100;

  const excludedNodes: BalancePlan['excludedNodes'] = [];
  const models = new Map<string, NodeModel>();
  for (const node of [...input.nodes].sort((a, b) => a.name.localeCompare(b.name))) {
    if (!node.online) excludedNodes.push({ node: node.name, reason: 'offline' });
    else if (node.maintenance) excludedNodes.push({ node: node.name, reason: 'in HA maintenance mode' });
    else if (node.maxmem <= 0 || node.maxcpu <= 0)
      excludedNodes.push({ node: node.name, reason: 'reports no capacity' });
    else
      models.set(node.name, {
        name: node.name,
        memUsed: node.mem,
        memTotal: node.maxmem,
        coresUsed: node.cpu * node.maxcpu,
        cores: node.maxcpu,
      });
  }
  const active = [...models.values()];
  const load = (m: NodeModel, memDelta = 0, coreDelta = 0) =>
    memoryMethod ? (100 * (m.memUsed + memDelta)) / m.memTotal : (100 * (m.coresUsed + coreDelta)) / m.cores;
  const before = new Map(active.map((m) => [m.name, load(m)]));

  const constraints = placementConstraints(
    input.guests.map((g) => ({ vmid: g.vmid, tags: g.tags })),
    input.ha,
    input.nodes.map((n) => n.name),
    new Set(models.keys()),
  );
  const skipped = new Map<string, string[]>();
  const skip = (reason: string, guest: BalanceGuestInput) =>
    skipped.set(reason, [...(skipped.get(reason) ?? []), guestLabel(guest)]);
  const units = buildUnits(input, constraints, models, skip);

  const placement = new Map(input.guests.map((g) => [g.vmid, g.node]));
  const apartOf = new Map<number, number[][]>();
  for (const group of constraints.apart)
    for (const vmid of group.vmids) apartOf.set(vmid, [...(apartOf.get(vmid) ?? []), group.vmids]);

  const spreadOf = (loads: Iterable<number>) => {
    const values = [...loads];
    return values.length < 2 ? 0 : Math.max(...values) - Math.min(...values);
  };
  const current = new Map(before);
  const spreadBefore = spreadOf(current.values());
  const moves: BalanceMove[] = [];
  const moved = new Set<Unit>();

  if (active.length >= 2 && spreadBefore > settings.thresholdPoints) {
    const aim = settings.thresholdPoints / 2;
    while (moves.length < settings.maxMoves && spreadOf(current.values()) > aim) {
      const best = bestMove(units, moved, models, current, placement, apartOf, load, keep, memoryMethod);
      if (!best) break;
      const { unit, to } = best;
      const source = models.get(unit.node)!;
      const target = models.get(to)!;
      const sourceBefore = current.get(source.name)!;
      const targetBefore = current.get(to)!;
      source.memUsed -= unit.memWeight;
      source.coresUsed -= unit.coreWeight;
      target.memUsed += unit.memWeight;
      target.coresUsed += unit.coreWeight;
      current.set(source.name, load(source));
      current.set(to, load(target));
      const why = `${source.name} ${round1(sourceBefore)} % → ${round1(current.get(source.name)!)} %, ${to} ${round1(targetBefore)} % → ${round1(current.get(to)!)} % (${settings.method})${unit.members.length > 1 ? `; moves with ${unit.members.length - 1} other guest(s) it must stay with` : ''}`;
      for (const guest of unit.members) {
        placement.set(guest.vmid, to);
        moves.push({
          vmid: guest.vmid,
          type: guest.type,
          ...(guest.name ? { name: guest.name } : {}),
          from: unit.node,
          to,
          mode: guest.status !== 'running' ? 'offline' : guest.type === 'lxc' ? 'restart' : 'live',
          weight: memoryMethod ? guestMem(guest) : guestCores(guest),
          why,
        });
      }
      moved.add(unit);
    }
  }

  let spreadAfter = spreadOf(current.values());
  let outcome: BalancePlan['outcome'] = 'moves';
  if (active.length < 2 || spreadBefore <= settings.thresholdPoints) outcome = 'balanced';
  else if (moves.length === 0 || spreadBefore - spreadAfter < settings.minGainPoints) outcome = 'no-benefit';
  const finalMoves = outcome === 'moves' ? moves : [];
  if (outcome !== 'moves') spreadAfter = spreadBefore;

  const incomingMem = new Map<string, number>();
  for (const move of finalMoves) {
    const guest = input.guests.find((g) => g.vmid === move.vmid)!;
    incomingMem.set(move.to, (incomingMem.get(move.to) ?? 0) + guestMem(guest));
    incomingMem.set(move.from, (incomingMem.get(move.from) ?? 0) - guestMem(guest));
  }
  const nodes: NodeLoad[] = input.nodes
    .filter((n) => models.has(n.name))
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((n) => ({
      node: n.name,
      before: round1(before.get(n.name)!),
      after: round1(outcome === 'moves' ? current.get(n.name)! : before.get(n.name)!),
      memoryAfter: round1((100 * (n.mem + (incomingMem.get(n.name) ?? 0))) / n.maxmem),
    }));

  return {
    settings,
    outcome,
    spreadBefore: round1(spreadBefore),
    spreadAfter: round1(spreadAfter),
    moves: finalMoves,
    nodes,
    skipped: [...skipped.entries()].map(([reason, guests]) => ({ reason, guests })),
    excludedNodes,
    hash: balancePlanHash(settings.method, finalMoves),
  };
}

/** A running guest's weight: its assigned memory, and its busy cores. Stopped guests weigh nothing. */
function guestMem(g: BalanceGuestInput): number {
  return g.status === 'running' ? g.maxmem : 0;
}
function guestCores(g: BalanceGuestInput): number {
  return g.status === 'running' ? g.cpu * g.maxcpu : 0;
}

/** Why a guest may not move at all, or undefined. */
function immovableBecause(
  guest: BalanceGuestInput,
  input: BalanceInput,
  constraints: PlacementConstraints,
  models: Map<string, NodeModel>,
): string | undefined {
  if (guest.template) return 'templates stay where they are';
  const ignoredBy = constraints.ignored.get(guest.vmid);
  if (ignoredBy) return `ignored (tag ${ignoredBy})`;
  if (guest.lock) return `locked (${guest.lock})`;
  if (guest.hastate !== undefined && guest.hastate !== 'ignored' && !HA_MOVABLE.has(guest.hastate))
    return `HA state ${guest.hastate}`;
  if (!models.has(guest.node)) return `on ${guest.node}, which takes no part`;
  const last = input.recentMoves.get(guest.vmid);
  const cooldownMs = input.settings.cooldownMinutes * 60_000;
  if (last !== undefined && input.now - last < cooldownMs)
    return `migrated within the last ${input.settings.cooldownMinutes} min (cooldown)`;
  return undefined;
}

/** Guests that must stay together become one unit; each unit knows its weight and allowed nodes. */
function buildUnits(
  input: BalanceInput,
  constraints: PlacementConstraints,
  models: Map<string, NodeModel>,
  skip: (reason: string, guest: BalanceGuestInput) => void,
): Unit[] {
  const byVmid = new Map(input.guests.map((g) => [g.vmid, g]));
  // Union-find over the "together" groups.
  const parent = new Map<number, number>();
  const find = (v: number): number => {
    let root = v;
    while (parent.has(root) && parent.get(root) !== root) root = parent.get(root)!;
    parent.set(v, root);
    return root;
  };
  const groupSource = new Map<number, string>();
  for (const group of constraints.together) {
    const present = group.vmids.filter((v) => byVmid.has(v));
    for (const v of present) {
      if (!parent.has(v)) parent.set(v, v);
      groupSource.set(v, group.source);
    }
    for (const v of present.slice(1)) parent.set(find(v), find(present[0]!));
  }
  const members = new Map<number, BalanceGuestInput[]>();
  for (const guest of [...input.guests].sort((a, b) => a.vmid - b.vmid)) {
    const root = parent.has(guest.vmid) ? find(guest.vmid) : guest.vmid;
    members.set(root, [...(members.get(root) ?? []), guest]);
  }

  const units: Unit[] = [];
  for (const group of members.values()) {
    const memWeight = group.reduce((sum, g) => sum + guestMem(g), 0);
    const coreWeight = group.reduce((sum, g) => sum + guestCores(g), 0);
    // A guest that carries no load is not worth a migration: not even listed.
    if (memWeight === 0 && coreWeight === 0) continue;
    const problems = group.flatMap((g) => {
      const why = immovableBecause(g, input, constraints, models);
      return why ? [{ g, why }] : [];
    });
    if (problems.length > 0) {
      for (const { g, why } of problems) skip(why, g);
      for (const g of group.filter((m) => !problems.some((p) => p.g === m)))
        skip(
          `must stay with ${problems.map((p) => guestLabel(p.g)).join(', ')} (${groupSource.get(g.vmid)})`,
          g,
        );
      continue;
    }
    const node = group[0]!.node;
    if (group.some((g) => g.node !== node)) {
      for (const g of group) skip(`its group (${groupSource.get(g.vmid)}) is split across nodes`, g);
      continue;
    }
    let allowed: Set<string> | undefined;
    const sources: string[] = [];
    for (const g of group) {
      const rule = constraints.allowedNodes.get(g.vmid);
      if (!rule) continue;
      sources.push(rule.source);
      allowed = new Set([...(allowed ?? rule.nodes)].filter((n) => rule.nodes.has(n)));
    }
    if (allowed && [...allowed].every((n) => n === node || !models.has(n))) {
      for (const g of group) skip(`kept on ${node} by ${[...new Set(sources)].join(', ')}`, g);
      continue;
    }
    const restarts = group.some((g) => g.type === 'lxc' && g.status === 'running');
    units.push({ members: group, node, memWeight, coreWeight, allowed, restarts });
  }
  return units;
}

/** The allowed move that leaves the smallest spread and lowers the sum of squared loads, if any. */
function bestMove(
  units: Unit[],
  moved: Set<Unit>,
  models: Map<string, NodeModel>,
  current: Map<string, number>,
  placement: Map<number, string>,
  apartOf: Map<number, number[][]>,
  load: (m: NodeModel, memDelta?: number, coreDelta?: number) => number,
  keep: number,
  memoryMethod: boolean,
): { unit: Unit; to: string } | undefined {
  // The three highest and lowest loads: with a source and a target replaced, the extremes of the
  // others are among them, so a candidate's spread costs O(1) instead of O(nodes).
  const ranked = [...current.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const top = ranked.slice(0, 3);
  const bottom = ranked.slice(-3).reverse();
  const spreadNow = ranked[0]![1] - ranked[ranked.length - 1]![1];
  const targets = [...models.values()];
  let best: { unit: Unit; to: string; score: number; potential: number } | undefined;
  // Relief comes from the busier half: a move off a node below the mean cannot beat one off the
  // busiest, and skipping them halves the work on a big cluster.
  const mean = ranked.reduce((sum, [, l]) => sum + l, 0) / ranked.length;
  for (const unit of units) {
    if (moved.has(unit)) continue;
    const source = models.get(unit.node)!;
    const sourceLoad = current.get(unit.node)!;
    if (sourceLoad < mean) continue;
    const sourceAfter = load(source, -unit.memWeight, -unit.coreWeight);
    if (sourceLoad - sourceAfter < MIN_MOVE_POINTS) continue;
    for (const target of targets) {
      if (target.name === unit.node) continue;
      if (unit.allowed && !unit.allowed.has(target.name)) continue;
      // Never overcommit: the target keeps its headroom even with every guest at its full memory.
      if (target.memUsed + unit.memWeight > target.memTotal * keep) continue;
      if (!memoryMethod && target.coresUsed + unit.coreWeight > target.cores * keep) continue;
      const targetLoad = current.get(target.name)!;
      if (targetLoad >= sourceLoad) continue;
      const targetAfter = load(target, unit.memWeight, unit.coreWeight);
      const potential = sourceAfter ** 2 + targetAfter ** 2 - sourceLoad ** 2 - targetLoad ** 2;
      if (potential > -1e-6) continue;
      const others = (list: [string, number][]) =>
        list.find(([name]) => name !== unit.node && name !== target.name)?.[1];
      const high = Math.max(sourceAfter, targetAfter, others(top) ?? Number.NEGATIVE_INFINITY);
      const low = Math.min(sourceAfter, targetAfter, others(bottom) ?? Number.POSITIVE_INFINITY);
      const spread = high - low;
      // Never wider. Not necessarily narrower at once: with two nodes equally busy, the first move
      // off one of them leaves the spread as it was, and the second one narrows it.
      if (spread > spreadNow + 1e-9) continue;
      if (breaksAntiAffinity(unit, target.name, placement, apartOf)) continue;
      const score = spread + (unit.restarts ? RESTART_PENALTY_POINTS : 0);
      if (
        !best ||
        score < best.score - 1e-9 ||
        (Math.abs(score - best.score) <= 1e-9 && potential < best.potential - 1e-9)
      )
        best = { unit, to: target.name, score, potential };
    }
  }
  return best && { unit: best.unit, to: best.to };
}

function breaksAntiAffinity(
  unit: Unit,
  target: string,
  placement: Map<number, string>,
  apartOf: Map<number, number[][]>,
): boolean {
  const inUnit = new Set(unit.members.map((m) => m.vmid));
  for (const member of unit.members) {
    for (const group of apartOf.get(member.vmid) ?? []) {
      if (group.some((other) => !inUnit.has(other) && placement.get(other) === target)) return true;
    }
  }
  return false;
}
