// `snapshots <vm>`: a guest's snapshots as PVE's tree, indented by parent, the current state
// marked "you are here", with dates (UTC), which hold RAM and which the bot took. Read-only.
import { defineCommand } from '../grammar/define-command.js';
import { vmRef } from '../grammar/value-schemas.js';
import { guestsOf, guestTarget, resolveGuest } from '../resolve-guest.js';
import { defineChatCommand } from './define-chat-command.js';

const definition = defineCommand({
  name: 'snapshots',
  summary: 'List the snapshots of a guest: tree, dates, RAM, which the bot took',
  description:
    'The snapshots as PVE keeps them, each under the one it was taken from, with its date (UTC), whether it holds the RAM, whether the bot took it (named chatops-<date>-<time>), and where the guest is now (“you are here”).',
  positionals: [{ name: 'vm', schema: vmRef(), description: 'the guest (name or vmid)' }],
  discord: { group: 'snapshot', name: 'list' },
  risk: 'read',
  examples: ['snapshots TestVM', 'snapshots 200'],
});

export const snapshotsCommand = defineChatCommand({
  definition,
  async handle(ctx, { vm }) {
    const resolved = resolveGuest(guestsOf(await ctx.readCluster()), vm);
    if (!resolved.ok) {
      await ctx.tell({
        title: `Cannot list the snapshots of ${vm}`,
        status: 'failed',
        text: resolved.message,
      });
      return 'invalid';
    }
    return ctx.read({ kind: 'snapshots', payload: { guest: guestTarget(resolved.guest) } });
  },
});
