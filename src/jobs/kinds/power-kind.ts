// What start, stop, shutdown and reboot share: one PVE task each, the same shape for QEMU and LXC
// (each kind is its own file, made by powerKind).
import { z } from 'zod';
import type { PowerAction } from '../../proxmox/guest-power.js';
import { parseUpid } from '../../proxmox/parse-upid.js';
import type { GuestResource } from '../../proxmox/schemas/cluster-schemas.js';
import { defineJobKind } from '../job-kind.js';
import { type GuestTarget, guestLabel, guestLock, guestTargetSchema, locateGuest } from './guest-target.js';
import { waitForGuestStatus } from './wait-for-guest-status.js';

const powerPayloadSchema = z.object({ guest: guestTargetSchema });

const WORDS: Record<PowerAction, { phase: string; done: string; settled?: 'running' | 'stopped' }> = {
  start: { phase: 'starting', done: 'started', settled: 'running' },
  stop: { phase: 'stopping', done: 'stopped', settled: 'stopped' },
  shutdown: { phase: 'shutting down', done: 'shut down', settled: 'stopped' },
  reboot: { phase: 'rebooting', done: 'rebooted' },
};

// Task types PVE starts for each action (qemu-server PVE/API2/Qemu.pm vm_start, vm_stop, vm_shutdown,
// vm_reboot fork `qmstart`, `qmstop`, `qmshutdown`, `qmreboot`; pve-container PVE/API2/LXC/Status.pm
// the `vz*` ones); an HA-managed guest's start gets `hastart`, its stop and shutdown `hastop`.
function taskTypes(action: PowerAction, type: 'qemu' | 'lxc'): string[] {
  const own = `${type === 'qemu' ? 'qm' : 'vz'}${action}`;
  if (action === 'start') return [own, 'hastart'];
  if (action === 'stop' || action === 'shutdown') return [own, 'hastop'];
  return [own];
}

export function powerKind<const A extends PowerAction>(action: A) {
  const words = WORDS[action];
  return defineJobKind({
    name: action,
    payload: powerPayloadSchema,
    locks: (payload) => [guestLock(payload.guest)],
    // Starting puts nothing at risk; stopping, shutting down and rebooting may lose what runs.
    ...(action === 'start' ? {} : { guestsAtRisk: (payload: { guest: GuestTarget }) => [payload.guest] }),
    async run(ctx) {
      const guest = await ctx.memo<GuestResource>('guest', () =>
        locateGuest(ctx.pve, ctx.payload.guest, ctx.signal),
      );
      const label = guestLabel(guest);
      const upid = await ctx.runTask(action, () => ctx.pve.power(guest, action, undefined, ctx.signal), {
        types: taskTypes(action, guest.type),
        vmid: guest.vmid,
      });
      const task = await ctx.watchTask(action, upid, `${words.phase} ${label} on ${guest.node}`);
      // An HA-managed guest's ha* task only queues the request; the HA stack acts later.
      if (parseUpid(upid).type.startsWith('ha') && words.settled) {
        const settled = words.settled;
        await ctx.watch('ha', `waiting for the HA stack: ${label} ${settled}`, (signal) =>
          waitForGuestStatus(ctx.pve, guest.vmid, settled, signal),
        );
      }
      return { summary: `${label} ${words.done} on ${guest.node}`, upid, logTail: task.logTail };
    },
  });
}
