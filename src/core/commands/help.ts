// `help [command]`: the command list, or one command explained; to the person alone.
import { defineCommand } from '../grammar/define-command.js';
import { commandName } from '../grammar/value-schemas.js';
import { defineChatCommand } from './define-chat-command.js';

const definition = defineCommand({
  name: 'help',
  summary: 'List the commands, or explain one',
  positionals: [
    { name: 'command', schema: commandName(), description: 'the command to explain', optional: true },
  ],
  risk: 'read',
  examples: ['help', 'help migrate'],
  aliases: ['?'],
});

export const helpCommand = defineChatCommand({
  definition,
  async handle(ctx, args) {
    await ctx.tell({ title: 'pve-chatops', status: 'info', text: ctx.help(args.command) });
    return 'answered';
  },
});
