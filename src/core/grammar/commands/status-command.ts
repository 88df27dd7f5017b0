import { defineCommand } from '../define-command.js';
import { nodeOrVm } from '../value-schemas.js';

export const statusCommand = defineCommand({
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
