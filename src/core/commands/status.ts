// `status [node|vm]`: the cluster, one node, or one guest (by name or vmid), read by the worker.
import { defineCommand } from '../grammar/define-command.js';
import { nodeOrVm } from '../grammar/value-schemas.js';
import { resolveNodeOrGuest } from '../resolve-guest.js';
import { defineChatCommand } from './define-chat-command.js';

const definition = defineCommand({
  name: 'status',
  summary: 'Show the cluster, one node, or one guest',
  description:
    'Without a target: quorum, nodes and guests. With one: that node, or that guest (by name or vmid).',
  positionals: [
    { name: 'target', schema: nodeOrVm(), description: 'a node, or a VM by name or vmid', optional: true },
  ],
  risk: 'read',
  examples: ['status', 'status node02', 'status TestVM', 'status 100'],
  aliases: ['st'],
});

export const statusCommand = defineChatCommand({
  definition,
  async handle(ctx, { target }) {
    if (target === undefined) return ctx.read({ kind: 'status', payload: {} });
    const resolved = resolveNodeOrGuest(await ctx.readCluster(), target);
    if (!resolved.ok) {
      await ctx.tell({ title: `Cannot show ${target}`, status: 'failed', text: resolved.message });
      return 'invalid';
    }
    return ctx.read({
      kind: 'status',
      payload:
        resolved.node === undefined
          ? { vmid: resolved.vmid, backupMaxAgeDays: ctx.settings.backupMaxAgeDays }
          : { node: resolved.node },
    });
  },
});
