// `ha add <vm>` and `ha remove <vm>`, resolved against one read of the cluster. A guest the HA
// stack already manages (its `hastate` in /cluster/resources) cannot be added again, one it does
// not manage cannot be removed: both refused here, before anyone is asked to approve.
import type { ClusterSnapshot } from '../proxmox/read-cluster-snapshot.js';
import type { GuestResource } from '../proxmox/schemas/cluster-schemas.js';
import type { PlanResult } from './plan-command.js';
import { guestLabel, resolveGuest } from './resolve-guest.js';

export interface HaCommandArgs {
  /** `status`, `add` or `remove` (the grammar allows no other). */
  action?: string;
  vm?: string;
  /** `started` (default) or `stopped`, for add. */
  state?: string;
}

export function planHa(args: HaCommandArgs, snapshot: ClusterSnapshot): PlanResult {
  const action = args.action ?? 'status';
  if (action === 'status') return { ok: false, message: 'ha status changes nothing: it needs no plan' };
  const guests = snapshot.resources.filter((r): r is GuestResource => r.type === 'qemu' || r.type === 'lxc');
  const resolved = resolveGuest(guests, args.vm ?? '');
  if (!resolved.ok) return resolved;
  const guest = resolved.guest;
  const label = guestLabel(guest);
  const sid = `${guest.type === 'qemu' ? 'vm' : 'ct'}:${guest.vmid}`;
  const target = {
    vmid: guest.vmid,
    type: guest.type,
    node: guest.node,
    ...(guest.name ? { name: guest.name } : {}),
  };
  if (guest.template) return { ok: false, message: `${label} is a template: the HA stack cannot run it.` };
  if (action === 'add') {
    if (guest.hastate !== undefined)
      return {
        ok: false,
        message: `${label} is already HA-managed (${sid}, ${guest.hastate}). \`ha\` shows it; \`ha remove ${guest.name ?? guest.vmid}\` stops managing it.`,
      };
    const state = args.state === 'stopped' ? 'stopped' : 'started';
    const effect =
      state === 'started'
        ? guest.status === 'running'
          ? 'it keeps running'
          : 'the HA stack starts it'
        : guest.status === 'running'
          ? 'the HA stack stops it'
          : 'it stays stopped';
    return {
      ok: true,
      plan: {
        kind: 'ha-add',
        payload: { guest: target, sid, state },
        text: `add ${label} on ${guest.node} to HA as ${sid}, state ${state} (${effect})`,
      },
    };
  }
  if (guest.hastate === undefined)
    return {
      ok: false,
      message: `${label} is not HA-managed: there is nothing to remove. \`ha\` lists the HA resources.`,
    };
  return {
    ok: true,
    plan: {
      kind: 'ha-remove',
      payload: { guest: target, sid },
      text: `remove ${label} (${sid}, ${guest.hastate}) from HA; it stays ${guest.status ?? 'as it is'} on ${guest.node}, no longer recovered if its node fails`,
    },
  };
}
