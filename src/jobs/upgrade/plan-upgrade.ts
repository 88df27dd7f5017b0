// The rolling-upgrade planner: pure, from one read of the cluster and each node's updates. For
// `--all` the lightest node goes first (fewest running guests, then least memory used), so the
// first drain is the quickest and a problem shows up where it costs least; nodes named one by
// one keep the order they were named in (the operator chose it). A guest that must leave
// goes to the node with the most free memory at that moment, never to the node being drained.
import type { GuestResource, NodeResource } from '../../proxmox/schemas/cluster-schemas.js';
import type { NodeUpdates } from './node-updates.js';
import { isHaManaged, type RebootMode, type UpgradePlan, type UpgradeStep } from './upgrade-plan.js';

export interface PlanUpgradeInput {
  /** The nodes to upgrade. */
  nodes: string[];
  /** Keep `nodes` in their order instead of lightest first. */
  keepOrder?: boolean;
  /** Every node of the cluster with its memory (targets are chosen among them). */
  nodeResources: NodeResource[];
  guests: GuestResource[];
  updates: NodeUpdates[];
  reboot: RebootMode;
}

export type PlanUpgradeResult = { ok: true; plan: UpgradePlan } | { ok: false; message: string };

function guestOf(guest: GuestResource) {
  return { vmid: guest.vmid, type: guest.type, ...(guest.name ? { name: guest.name } : {}) };
}

export function planUpgrade(input: PlanUpgradeInput): PlanUpgradeResult {
  const online = input.nodeResources.filter((n) => n.status === 'online');
  const running = (node: string) =>
    input.guests.filter((g) => g.node === node && g.status === 'running' && g.template !== true);
  const steps: UpgradeStep[] = [];
  const skipped: UpgradePlan['skipped'] = [];
  for (const node of input.nodes) {
    const updates = input.updates.find((u) => u.node === node);
    if (!updates) return { ok: false, message: `no package information for ${node}` };
    const expectReboot = input.reboot === 'always' || (input.reboot === 'auto' && updates.rebootNeeded);
    if (updates.packages.length === 0 && !expectReboot) {
      skipped.push({ node, reason: 'up to date' });
      continue;
    }
    const others = online.filter((n) => n.node !== node);
    if (others.length === 0) {
      return { ok: false, message: `${node} has no other online node to move its guests to` };
    }
    // Free memory per target as the moves of this step fill it (each step's guests come back after).
    const free = new Map(others.map((n) => [n.node, (n.maxmem ?? 0) - (n.mem ?? 0)]));
    const moves: UpgradeStep['moves'] = [];
    const leaving = running(node).filter((g) => !isHaManaged(g));
    for (const guest of leaving.sort((a, b) => (b.maxmem ?? 0) - (a.maxmem ?? 0))) {
      const [target] = [...free.entries()].sort((a, b) => b[1] - a[1]);
      if (!target) break;
      free.set(target[0], target[1] - (guest.maxmem ?? guest.mem ?? 0));
      moves.push({ ...guestOf(guest), to: target[0] });
    }
    steps.push({
      node,
      packages: updates.packages.length,
      ...(updates.kernel ? { kernel: updates.kernel } : {}),
      ...(updates.manager ? { manager: updates.manager } : {}),
      expectReboot,
      haGuests: input.guests.filter((g) => g.node === node && isHaManaged(g)).map(guestOf),
      moves: moves.sort((a, b) => a.vmid - b.vmid),
    });
  }
  if (steps.length === 0) {
    return {
      ok: false,
      message: `nothing to upgrade: ${skipped.map((s) => `${s.node} ${s.reason}`).join(', ')}`,
    };
  }
  const weight = (node: string) => {
    const guests = running(node);
    return [guests.length, guests.reduce((sum, g) => sum + (g.mem ?? 0), 0)] as const;
  };
  if (!input.keepOrder)
    steps.sort((a, b) => {
      const [x, y] = [weight(a.node), weight(b.node)];
      return x[0] - y[0] || x[1] - y[1] || a.node.localeCompare(b.node);
    });
  return {
    ok: true,
    plan: { reboot: input.reboot, order: input.keepOrder ? 'as-named' : 'lightest-first', steps, skipped },
  };
}
