import { defineCommand } from '../define-command.js';
import { commandName } from '../value-schemas.js';

export const helpCommand = defineCommand({
  name: 'help',
  summary: 'List the commands, or explain one',
  positionals: [
    { name: 'command', schema: commandName(), description: 'the command to explain', optional: true },
  ],
  risk: 'read',
  examples: ['help', 'help migrate'],
  aliases: ['?'],
});
