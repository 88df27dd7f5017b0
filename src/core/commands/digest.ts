// `digest`: the status digest now, in this channel; the job posts only its result (its kind is
// result-only), with the chart drawn by the bot.
import { defineCommand } from '../grammar/define-command.js';
import { defineChatCommand } from './define-chat-command.js';

const definition = defineCommand({
  name: 'digest',
  summary: 'Post the status digest now, here',
  description:
    'What the daily digest says, most urgent first: quorum, nodes, kernels and updates, clock offsets, certificates, HA errors, replication, storage, failed tasks, what changed; with a chart of CPU, memory and guests per node.',
  risk: 'read',
  examples: ['digest'],
});

export const digestCommand = defineChatCommand({
  definition,
  handle: (ctx) =>
    ctx.read({
      kind: 'digest',
      payload: { scheduled: false, backupMaxAgeDays: ctx.settings.backupMaxAgeDays },
    }),
});
