import type { GuestType, SimGuest } from './cluster-model.js';

/** `VM` for QEMU, `CT` for LXC, as PVE's messages say. */
export function guestNoun(type: GuestType): 'VM' | 'CT' {
  return type === 'qemu' ? 'VM' : 'CT';
}

/** Task type names: `qmstart` / `vzstart`, `qmigrate` / `vzmigrate`, … */
export function taskType(
  type: GuestType,
  action: 'start' | 'stop' | 'shutdown' | 'reboot' | 'clone' | 'migrate',
): string {
  if (type === 'qemu') return action === 'migrate' ? 'qmigrate' : `qm${action}`;
  return `vz${action}`;
}

/** The first line of every task the HA LRM starts (PVE::HA::Resources::PVEVM / PVECT). */
export const HA_AGENT_LINE = 'task started by HA resource agent';

export function guestLabel(guest: SimGuest): string {
  return `${guestNoun(guest.type)} ${guest.vmid}`;
}
