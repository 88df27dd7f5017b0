// One read of the cluster for the planner: resources and membership, PVE's HA placement (9.x
// rules, or 8.x groups), and the recent migrations for the cooldown. Four calls (five on PVE 8) whatever the
// cluster's size.
import { isPveError, PveErrorCode } from '../../proxmox/pve-error.js';
import type { GuestResource, NodeResource } from '../../proxmox/schemas/cluster-schemas.js';
import type { JobContext } from '../job-context.js';

/** What the read needs of a job's context (a benchmark passes its own). */
export type BalanceReader = Pick<JobContext<unknown>, 'pve' | 'state' | 'signal'>;

import type { BalanceSettings } from '../../config/balance-settings.js';
import type { HaPlacement } from './placement-rules.js';
import { splitTags } from './placement-rules.js';
import type { BalanceInput } from './plan-balance.js';
import { latestOf, migrationsFromTasks, recordedMoves } from './recent-moves.js';

/**
 * PVE 9.x rules; PVE 8.x has none (501) and places by HA groups, read as node-affinity rules.
 * The groups are read only after that 501: PVE 9.x refuses to list them (500, "ha groups have
 * been migrated to rules").
 */
async function readHaPlacement(ctx: BalanceReader): Promise<HaPlacement[]> {
  try {
    const rules = await ctx.pve.haRules(ctx.signal);
    return rules.flatMap((rule): HaPlacement[] => {
      // PVE ignores disabled rules and rules it found in conflict (`errors`): so do we.
      if (rule.disable || Object.keys(rule.errors ?? {}).length > 0) return [];
      if (rule.type === 'node-affinity')
        return [
          {
            name: `HA rule ${rule.rule}`,
            kind: 'node-affinity',
            sids: rule.resources,
            nodes: rule.nodes ?? [],
          },
        ];
      if (rule.type === 'resource-affinity' && (rule.affinity === 'positive' || rule.affinity === 'negative'))
        return [
          {
            name: `HA rule ${rule.rule}`,
            kind: 'resource-affinity',
            sids: rule.resources,
            affinity: rule.affinity,
          },
        ];
      return [];
    });
  } catch (error) {
    if (!isPveError(error) || error.code !== PveErrorCode.UnknownEndpoint) throw error;
  }
  const [groups, resources] = await Promise.all([
    ctx.pve.haGroups(ctx.signal),
    ctx.pve.haResources(ctx.signal),
  ]);
  return groups.map((group) => ({
    name: `HA group ${group.group}`,
    kind: 'node-affinity' as const,
    sids: resources.filter((r) => r.group === group.group).map((r) => r.sid),
    nodes: group.nodes,
  }));
}

export async function readBalanceInput(ctx: BalanceReader, settings: BalanceSettings): Promise<BalanceInput> {
  const [status, resources, ha, tasks, recorded] = await Promise.all([
    ctx.pve.clusterStatus(ctx.signal),
    ctx.pve.clusterResources(undefined, ctx.signal),
    readHaPlacement(ctx),
    ctx.pve.clusterTasks(ctx.signal),
    recordedMoves(ctx.state),
  ]);
  const online = new Set(status.nodes.filter((n) => n.online).map((n) => n.name));
  const nodes = resources
    .filter((r): r is NodeResource => r.type === 'node')
    .map((n) => ({
      name: n.node,
      online: online.has(n.node) && n.status === 'online',
      maintenance: n.hastate === 'maintenance',
      mem: n.mem ?? 0,
      maxmem: n.maxmem ?? 0,
      cpu: n.cpu ?? 0,
      maxcpu: n.maxcpu ?? 0,
    }));
  const guests = resources
    .filter((r): r is GuestResource => r.type === 'qemu' || r.type === 'lxc')
    .map((g) => ({
      vmid: g.vmid,
      type: g.type,
      name: g.name,
      node: g.node,
      status: g.status,
      template: g.template === true,
      lock: g.lock,
      maxmem: g.maxmem ?? 0,
      cpu: g.cpu ?? 0,
      maxcpu: g.maxcpu ?? 0,
      tags: splitTags(g.tags),
      hastate: g.hastate,
    }));
  return {
    nodes,
    guests,
    ha,
    recentMoves: latestOf(migrationsFromTasks(tasks), recorded),
    now: Date.now(),
    settings,
  };
}
