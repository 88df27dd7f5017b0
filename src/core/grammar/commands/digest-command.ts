import { defineCommand } from '../define-command.js';

export const digestCommand = defineCommand({
  name: 'digest',
  summary: 'Post the status digest now, here',
  description:
    'What the daily digest says, most urgent first: quorum, nodes, kernels and updates, clock offsets, certificates, HA errors, replication, storage, failed tasks, what changed; with a chart of CPU, memory and guests per node.',
  risk: 'read',
  examples: ['digest'],
});
