// Turns what a person typed (`testvm`, `100`) into one guest, from one /cluster/resources read,
// or into a message that helps: the closest names when it is unknown, every candidate with its id
// and node when it is ambiguous.
import type { ClusterSnapshot } from '../proxmox/read-cluster-snapshot.js';
import type { GuestResource } from '../proxmox/schemas/cluster-schemas.js';
import { closestNames } from './closest-names.js';

export type GuestResolution = { ok: true; guest: GuestResource } | { ok: false; message: string };

export function guestLabel(guest: { vmid: number; type: string; name?: string | undefined }): string {
  return guest.name ? `${guest.name} (${guest.type}/${guest.vmid})` : `${guest.type}/${guest.vmid}`;
}

/** The VMs and containers of one cluster read. */
export function guestsOf(snapshot: ClusterSnapshot): GuestResource[] {
  return snapshot.resources.filter((r): r is GuestResource => r.type === 'qemu' || r.type === 'lxc');
}

/** A guest as job payloads carry it (jobs/kinds/guest-target.ts): where it was when planned. */
export function guestTarget(guest: GuestResource) {
  return {
    vmid: guest.vmid,
    type: guest.type,
    node: guest.node,
    ...(guest.name ? { name: guest.name } : {}),
  };
}

export function resolveGuest(guests: GuestResource[], query: string): GuestResolution {
  const wanted = query.trim();
  if (/^\d+$/.test(wanted)) {
    const byId = guests.find((g) => g.vmid === Number(wanted));
    if (byId) return { ok: true, guest: byId };
  }
  const lower = wanted.toLowerCase();
  const byName = guests.filter((g) => g.name?.toLowerCase() === lower);
  if (byName.length === 1) return { ok: true, guest: byName[0]! };
  if (byName.length > 1) {
    const list = byName.map((g) => `${guestLabel(g)} on ${g.node}`).join(', ');
    return {
      ok: false,
      message: `'${wanted}' is ambiguous: ${list}. Name it by its id, e.g. \`${byName[0]!.vmid}\`.`,
    };
  }
  const names = guests.map((g) => g.name).filter((name): name is string => name !== undefined);
  const close = closestNames(wanted, names, 3);
  const hint = close.length > 0 ? ` Did you mean ${close.map((n) => `\`${n}\``).join(', ')}?` : '';
  return { ok: false, message: `No guest named or numbered '${wanted}' in the cluster.${hint}` };
}

export type TargetResolution =
  | { ok: true; node: string; vmid?: undefined }
  | { ok: true; vmid: number; node?: undefined }
  | { ok: false; message: string };

/**
 * What `status` and `tasks` take: a node (as PVE spells it) or a guest (its vmid), from one
 * cluster read; a name that is neither gets the guest resolver's help and the list of nodes.
 */
export function resolveNodeOrGuest(snapshot: ClusterSnapshot, typed: string): TargetResolution {
  const node = snapshot.status.nodes.find((n) => n.name.toLowerCase() === typed.toLowerCase());
  if (node) return { ok: true, node: node.name };
  const found = resolveGuest(guestsOf(snapshot), typed);
  if (found.ok) return { ok: true, vmid: found.guest.vmid };
  const nodes = snapshot.status.nodes.map((n) => n.name).join(', ');
  return { ok: false, message: `${found.message} Nodes: ${nodes}.` };
}
