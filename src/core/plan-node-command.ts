// Node-level commands resolved against one read of the cluster: `updates` and `upgrade`. The
// upgrade's real plan (order, guests that move, reboots) needs the pending updates, which only
// the worker's token may read (Sys.Modify), so the request starts a planning job whose result
// proposes the upgrade for approval (PlannedJob.approvalAfterJob).
import type { ClusterSnapshot } from '../proxmox/read-cluster-snapshot.js';
import type { GuestResource } from '../proxmox/schemas/cluster-schemas.js';
import { checkNode } from './check-node.js';
import type { PlanResult } from './plan-command.js';
import { guestLabel } from './resolve-guest.js';

export interface NodeCommandArgs {
  action?: 'reboot' | 'shutdown';
  force?: boolean;
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

/**
 * A node reboot or shutdown, refused before anyone is asked to approve it when it would cost the
 * cluster its quorum (one vote per node, as corosync counts by default) or would take down running
 * guests that the HA stack does not look after (unless --force).
 */
export function planNodePower(args: NodeCommandArgs, snapshot: ClusterSnapshot): PlanResult {
  const action = args.action ?? 'reboot';
  const resolved = resolveNodes(snapshot, [args.node ?? '']);
  if (!resolved.ok) return resolved;
  const node = resolved.nodes[0]!;
  const members = snapshot.status.nodes;
  const needed = Math.floor(members.length / 2) + 1;
  const remaining = members.filter((n) => n.online && n.name !== node).length;
  if (remaining < needed) {
    return {
      ok: false,
      message: `${action === 'reboot' ? 'Rebooting' : 'Shutting down'} ${node} would cost the cluster its quorum: ${remaining} of ${members.length} votes would be left, ${needed} are needed. Bring the offline nodes back first (\`cluster\` shows them).`,
    };
  }
  const stranded = snapshot.resources.filter(
    (r): r is GuestResource =>
      (r.type === 'qemu' || r.type === 'lxc') &&
      r.node === node &&
      r.status === 'running' &&
      (r.hastate === undefined || r.hastate === 'ignored'),
  );
  if (stranded.length > 0 && !args.force) {
    return {
      ok: false,
      message: `${stranded.map(guestLabel).join(', ')} ${stranded.length === 1 ? 'runs' : 'run'} on ${node} without HA and would go down with it. Migrate ${stranded.length === 1 ? 'it' : 'them'} first, or add \`--force\`.`,
    };
  }
  const ha = snapshot.resources.filter(
    (r) => (r.type === 'qemu' || r.type === 'lxc') && r.node === node && (r as GuestResource).hastate,
  );
  const notes = [
    stranded.length > 0 ? `FORCED: ${stranded.map(guestLabel).join(', ')} will stop` : '',
    ha.length > 0 ? `${ha.length} HA guest(s) handled by the HA stack` : '',
  ].filter(Boolean);
  return {
    ok: true,
    plan: {
      kind: 'node-power',
      payload: { node, action },
      text: `${action} node ${node}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`,
    },
  };
}
