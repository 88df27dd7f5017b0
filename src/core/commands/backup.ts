// `backup <vm…> [--storage S] [--mode snapshot|suspend|stop]`: vzdump of one or more guests, one
// task per node. Without --storage, a storage every node involved can use is chosen and named in
// the request. A backup changes no guest but loads the nodes, the network and the storage and
// locks each guest while it runs, so it is disruptive (a policy entry must allow it; a routine
// `approval: none` fits); `--mode stop` shuts the guests down for the length of the backup, so it
// is judged under its own entry, `backup-stop`, like a stop.
import { z } from 'zod';
import type { ClusterSnapshot } from '../../proxmox/read-cluster-snapshot.js';
import type { GuestResource } from '../../proxmox/schemas/cluster-schemas.js';
import { defineCommand } from '../grammar/define-command.js';
import { choice, vmRefs } from '../grammar/value-schemas.js';
import { guestLabel, guestsOf, guestTarget, resolveGuest } from '../resolve-guest.js';
import { chooseBackupStorage } from './backup-storage.js';
import { type ArgsOf, defineChatCommand } from './define-chat-command.js';
import type { PlanResult } from './planned-job.js';
import { scheduleExclusive, scheduleFlags } from './schedule-flags.js';

const STORAGE_ID = /^[a-z][a-z0-9\-_.]*[a-z0-9]$/i;

const definition = defineCommand({
  name: 'backup',
  summary: 'Back up one or more guests (vzdump), to a storage or a Proxmox Backup Server',
  description:
    'One vzdump task per node, followed in the thread; the result names each archive, its size and how long it took, or why a guest failed in PVE’s words. Without `--storage`, a storage every node involved can use is chosen (a shared Proxmox Backup Server first). `--mode snapshot` (the default) keeps the guests running; `suspend` pauses them briefly; `stop` shuts them down for the backup and starts them again, and needs the policy entry `backup-stop`.',
  positionals: [
    { name: 'vms', schema: vmRefs(), description: 'the guests to back up (names or vmids)', rest: true },
  ],
  flags: {
    ...scheduleFlags,
    storage: {
      schema: z
        .string()
        .refine((s) => STORAGE_ID.test(s), { message: 'not a storage id (letters, digits, -, _ and .)' }),
      description: 'the storage to write to (default: one every node involved can use)',
      value: 'storage',
    },
    mode: {
      schema: choice(['snapshot', 'suspend', 'stop'], 'a backup mode').default('snapshot'),
      description: 'snapshot (default, guests keep running), suspend, or stop',
      value: 'mode',
    },
  },
  discord: { group: 'backup', name: 'run' },
  exclusive: [scheduleExclusive],
  risk: 'disruptive',
  examples: ['backup TestVM', 'backup TestVM ct-dns01 --storage pbs-backup', 'backup 200 --mode stop'],
});

export function planBackup(args: ArgsOf<typeof definition>, snapshot: ClusterSnapshot): PlanResult {
  const all = guestsOf(snapshot);
  const guests: GuestResource[] = [];
  for (const ref of args.vms) {
    const resolved = resolveGuest(all, ref);
    if (!resolved.ok) return resolved;
    if (!guests.some((g) => g.vmid === resolved.guest.vmid)) guests.push(resolved.guest);
  }
  const nodes = [...new Set(guests.map((g) => g.node))].sort();
  const storage = chooseBackupStorage(snapshot, nodes, args.storage);
  if (!storage.ok) return storage;
  const running = guests.filter((g) => g.status === 'running');
  const what = guests.map((g) => `${guestLabel(g)} on ${g.node}`).join(', ');
  const mode =
    args.mode === 'stop'
      ? running.length > 0
        ? `stop mode: ${running.map(guestLabel).join(', ')} will be shut down for the backup and started again`
        : 'stop mode'
      : `${args.mode} mode`;
  return {
    ok: true,
    plan: {
      kind: 'backup',
      payload: { guests: guests.map(guestTarget), storage: storage.storage, mode: args.mode },
      text: `backup ${what} → ${storage.storage}${args.storage === undefined ? ` (${storage.why})` : ''}, ${mode}`,
    },
  };
}

export const backupCommand = defineChatCommand({
  definition,
  policyEntry: (args) => (args.mode === 'stop' ? 'backup-stop' : 'backup'),
  handle: async (ctx, args) => ctx.request(planBackup(args, await ctx.readCluster())),
});
