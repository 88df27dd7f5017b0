// `backups <vm>`: one guest's archives on every backup storage of the cluster, newest first, and
// the scheduled jobs that cover it.
import { defineCommand } from '../grammar/define-command.js';
import { vmRef } from '../grammar/value-schemas.js';
import { guestsOf, guestTarget, resolveGuest } from '../resolve-guest.js';
import { defineChatCommand } from './define-chat-command.js';

const definition = defineCommand({
  name: 'backups',
  summary: 'List the backups of a guest, and the backup jobs that cover it',
  description:
    'Every backup storage the cluster has (a Proxmox Backup Server included), newest first: when each archive was made (UTC), where, its size and format, whether it is protected or verified. Says so when there are none, and names the scheduled backup jobs that take the guest, or that none does.',
  positionals: [{ name: 'vm', schema: vmRef(), description: 'the guest (name or vmid)' }],
  discord: { group: 'backup', name: 'list' },
  risk: 'read',
  examples: ['backups TestVM', 'backups 200'],
});

export const backupsCommand = defineChatCommand({
  definition,
  async handle(ctx, { vm }) {
    const resolved = resolveGuest(guestsOf(await ctx.readCluster()), vm);
    if (!resolved.ok) {
      await ctx.tell({ title: `Cannot list the backups of ${vm}`, status: 'failed', text: resolved.message });
      return 'invalid';
    }
    return ctx.read({ kind: 'backups', payload: { guest: guestTarget(resolved.guest) } });
  },
});
