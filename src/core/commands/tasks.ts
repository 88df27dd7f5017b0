// `tasks [node|vm] [--failed] [--limit n]`: the cluster's recent PVE tasks, newest first, with
// who ran them and how they ended; for one node or one guest when named.
import { z } from 'zod';
import { defineCommand } from '../grammar/define-command.js';
import { integer, nodeOrVm } from '../grammar/value-schemas.js';
import { resolveNodeOrGuest } from '../resolve-guest.js';
import { defineChatCommand } from './define-chat-command.js';

const definition = defineCommand({
  name: 'tasks',
  summary: 'Show the recent Proxmox tasks: what ran, where, by whom, how it ended',
  description:
    'Newest first, from the cluster’s task list: each task’s start, node, what it did, the user, its exit status and duration. Name a node or a guest to see only theirs; `--failed` shows only the failures (a task ending with warnings counts as a success, as in PVE).',
  positionals: [
    { name: 'target', schema: nodeOrVm(), description: 'a node, or a VM by name or vmid', optional: true },
  ],
  flags: {
    failed: { schema: z.boolean(), description: 'only the tasks that failed' },
    limit: {
      schema: integer(1, 50, 'a number of tasks').default(10),
      description: 'how many to show (1 to 50, default 10)',
      value: 'n',
    },
  },
  risk: 'read',
  examples: ['tasks', 'tasks node02 --failed', 'tasks TestVM --limit 20'],
});

export const tasksCommand = defineChatCommand({
  definition,
  async handle(ctx, { target, failed, limit }) {
    if (target === undefined) return ctx.read({ kind: 'tasks', payload: { failed, limit } });
    const resolved = resolveNodeOrGuest(await ctx.readCluster(), target);
    if (!resolved.ok) {
      await ctx.tell({
        title: `Cannot show the tasks of ${target}`,
        status: 'failed',
        text: resolved.message,
      });
      return 'invalid';
    }
    const where = resolved.node === undefined ? { vmid: resolved.vmid } : { node: resolved.node };
    return ctx.read({ kind: 'tasks', payload: { ...where, failed, limit } });
  },
});
