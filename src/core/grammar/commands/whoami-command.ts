import { defineCommand } from '../define-command.js';

export const whoamiCommand = defineCommand({
  name: 'whoami',
  summary: 'Show who you are to the bot, your groups and what you may do',
  risk: 'read',
  examples: ['whoami'],
});
