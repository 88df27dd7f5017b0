// `replicate <vm> <node> [--schedule]`, resolved against one read of the cluster: refused here,
// before anyone is asked to approve, when the target is the guest's own node, unknown or offline,
// or the guest is a template. A second job to the same target, and volumes that cannot replicate,
// are refused by the job (it reads /cluster/replication) and by PVE in its own words.
import type { ClusterSnapshot } from '../proxmox/read-cluster-snapshot.js';
import type { GuestResource } from '../proxmox/schemas/cluster-schemas.js';
import { checkNode, nodesOf } from './check-node.js';
import type { PlanResult } from './plan-command.js';
import { guestLabel, resolveGuest } from './resolve-guest.js';

export interface ReplicateCommandArgs {
  vm?: string;
  node?: string;
  schedule?: string;
}

export const DEFAULT_REPLICATION_SCHEDULE = '*/15';

export function planReplicate(args: ReplicateCommandArgs, snapshot: ClusterSnapshot): PlanResult {
  const guests = snapshot.resources.filter((r): r is GuestResource => r.type === 'qemu' || r.type === 'lxc');
  const resolved = resolveGuest(guests, args.vm ?? '');
  if (!resolved.ok) return resolved;
  const guest = resolved.guest;
  const label = guestLabel(guest);
  const typed = args.node ?? '';
  const problem = checkNode(snapshot, typed);
  if (problem) return { ok: false, message: problem };
  const target = nodesOf(snapshot).find((n) => n.name.toLowerCase() === typed.toLowerCase())!.name;
  if (target === guest.node) {
    return {
      ok: false,
      message: `${label} lives on ${target}: replication copies its disks to another node. Choose one of ${
        nodesOf(snapshot)
          .filter((n) => n.name !== target)
          .map((n) => n.name)
          .join(', ') || 'the other nodes'
      }.`,
    };
  }
  if (guest.template)
    return { ok: false, message: `${label} is a template: clone it rather than replicate it.` };
  const schedule = args.schedule ?? DEFAULT_REPLICATION_SCHEDULE;
  return {
    ok: true,
    plan: {
      kind: 'replication-create',
      payload: {
        guest: {
          vmid: guest.vmid,
          type: guest.type,
          node: guest.node,
          ...(guest.name ? { name: guest.name } : {}),
        },
        target,
        schedule,
      },
      text: `replicate ${label} ${guest.node} → ${target}, schedule ${schedule} (the first sync copies its disks in full)`,
    },
  };
}
