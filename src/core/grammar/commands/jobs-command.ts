import { defineCommand } from '../define-command.js';

export const jobsCommand = defineCommand({
  name: 'jobs',
  summary: 'List running and waiting jobs',
  risk: 'read',
  examples: ['jobs'],
});
