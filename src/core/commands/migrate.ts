// `migrate <vm> <node>`: resolved against one read of the cluster and shown back before anything
// runs ("migrate TestVM (qemu/100) node01 → node03, live"); what PVE would refuse (a running guest
// offline, a container live, its own node) is refused here with what would be right.
import { z } from 'zod';
import type { ClusterSnapshot } from '../../proxmox/read-cluster-snapshot.js';
import type { GuestResource } from '../../proxmox/schemas/cluster-schemas.js';
import { resolveNode } from '../check-node.js';
import { defineCommand } from '../grammar/define-command.js';
import { nodeName, vmRef } from '../grammar/value-schemas.js';
import { guestLabel, guestsOf, guestTarget, resolveGuest } from '../resolve-guest.js';
import { type ArgsOf, defineChatCommand } from './define-chat-command.js';
import type { PlanResult } from './planned-job.js';
import { scheduleExclusive, scheduleFlags } from './schedule-flags.js';
import { snapshotFirstFlag } from './snapshot-first-flag.js';

const definition = defineCommand({
  name: 'migrate',
  summary: 'Move a guest to another node',
  description:
    'A running VM moves live unless `--offline` is given; a stopped one moves offline. HA-managed guests move through the HA manager.',
  positionals: [
    { name: 'vm', schema: vmRef(), description: 'the VM to move (name or vmid)' },
    { name: 'node', schema: nodeName(), description: 'a target node' },
  ],
  flags: {
    online: { schema: z.boolean(), description: 'live-migrate a running VM' },
    offline: { schema: z.boolean(), description: 'move offline (the guest must be stopped)' },
    'with-local-disks': { schema: z.boolean(), description: 'also copy disks on local storage' },
    ...snapshotFirstFlag,
    ...scheduleFlags,
  },
  exclusive: [['online', 'offline'], scheduleExclusive],
  risk: 'disruptive',
  examples: [
    'migrate TestVM node03',
    'migrate 100 node02 --online',
    'migrate TestVM node03 --offline --with-local-disks',
  ],
  aliases: ['mv'],
});

export function planMigrate(args: ArgsOf<typeof definition>, snapshot: ClusterSnapshot): PlanResult {
  const resolved = resolveGuest(guestsOf(snapshot), args.vm);
  if (!resolved.ok) return resolved;
  const guest: GuestResource = resolved.guest;
  const label = guestLabel(guest);
  if (guest.template)
    return { ok: false, message: `${label} is a template: it can be cloned, not migrated from chat.` };
  const target = resolveNode(snapshot, args.node);
  if (!target.ok) return target;
  const node = target.node;
  if (node === guest.node) return { ok: false, message: `${label} already runs on ${node}.` };
  const running = guest.status === 'running';
  if (args.offline && running) {
    return {
      ok: false,
      message: `${label} is running: an offline migration needs it stopped first (or leave out --offline for a live migration).`,
    };
  }
  if (args.online && guest.type === 'lxc') {
    return {
      ok: false,
      message: `${label} is a container: PVE has no live migration for containers; leave out --online (it migrates in restart mode).`,
    };
  }
  const how = !running
    ? 'offline'
    : guest.type === 'lxc'
      ? 'restart mode (shut down, moved, started)'
      : 'live';
  const disks = args.withLocalDisks ? ', with local disks' : '';
  const ha = guest.hastate ? `, through the HA stack (${guest.hastate})` : '';
  return {
    ok: true,
    plan: {
      kind: 'migrate',
      payload: {
        guest: guestTarget(guest),
        target: node,
        mode: args.offline ? 'offline' : args.online ? 'online' : 'auto',
      },
      text: `migrate ${label} ${guest.node} → ${node}, ${how}${disks}${ha}`,
      ...(args.snapshot ? { snapshotFirst: true } : {}),
    },
  };
}

export const migrateCommand = defineChatCommand({
  definition,
  handle: async (ctx, args) => ctx.request(planMigrate(args, await ctx.readCluster())),
});
