// `whoami`: who the person is to the bot (identity, groups, policy roles); to them alone.
import { defineCommand } from '../grammar/define-command.js';
import { defineChatCommand } from './define-chat-command.js';

const definition = defineCommand({
  name: 'whoami',
  summary: 'Show who you are to the bot, your groups and what you may do',
  risk: 'read',
  examples: ['whoami'],
});

export const whoamiCommand = defineChatCommand({
  definition,
  async handle(ctx) {
    const { user } = ctx.event;
    const roles = ctx.roles();
    await ctx.tell({
      title: `You are ${user.name}`,
      status: 'info',
      fields: [
        { label: 'Identity', value: user.id },
        { label: 'Groups', value: user.groups.join(', ') || 'none' },
        { label: 'Roles', value: roles.join(', ') || 'none' },
      ],
    });
    return 'answered';
  },
});
