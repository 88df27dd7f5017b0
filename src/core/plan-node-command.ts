// Node-level commands resolved against one read of the cluster: `updates` and `upgrade`. The
// upgrade's real plan (order, guests that move, reboots) needs the pending updates, which only
// the worker's token may read (Sys.Modify), so the request starts a planning job whose result
// proposes the upgrade for approval (PlannedJob.approvalAfterJob).
import type { ClusterSnapshot } from '../proxmox/read-cluster-snapshot.js';
import { checkNode } from './check-node.js';
import type { PlanResult } from './plan-command.js';

export interface NodeCommandArgs {
  node?: string;
  nodes?: string[];
  all?: boolean;
  reboot?: 'auto' | 'always' | 'never';
  dryRun?: boolean;
}

/** The names as PVE spells them, or the first problem (an unknown or offline node). */
function resolveNodes(
  snapshot: ClusterSnapshot,
  typed: string[],
): { ok: true; nodes: string[] } | { ok: false; message: string } {
  const nodes: string[] = [];
  for (const name of typed) {
    const problem = checkNode(snapshot, name);
    if (problem) return { ok: false, message: problem };
    nodes.push(snapshot.status.nodes.find((n) => n.name.toLowerCase() === name.toLowerCase())!.name);
  }
  return { ok: true, nodes };
}

export function planUpdates(args: NodeCommandArgs, snapshot: ClusterSnapshot): PlanResult {
  const resolved = resolveNodes(snapshot, args.node === undefined ? [] : [args.node]);
  if (!resolved.ok) return resolved;
  const where = resolved.nodes[0] ?? 'every node';
  return {
    ok: true,
    plan: {
      kind: 'updates',
      payload: { nodes: resolved.nodes },
      text: `refresh package lists and list pending updates on ${where}`,
    },
  };
}

export function planUpgradeRequest(args: NodeCommandArgs, snapshot: ClusterSnapshot): PlanResult {
  const resolved = resolveNodes(snapshot, args.all ? [] : (args.nodes ?? []));
  if (!resolved.ok) return resolved;
  const which = args.all ? 'every node' : resolved.nodes.join(', ');
  const reboot = args.reboot ?? 'auto';
  return {
    ok: true,
    plan: {
      kind: 'upgrade-plan',
      payload: { nodes: resolved.nodes, reboot, dryRun: args.dryRun === true },
      text: `plan the upgrade of ${which} (reboot ${reboot})${args.dryRun ? ', dry run' : ''}`,
      approvalAfterJob: true,
    },
  };
}
