import { defineCommand } from '../define-command.js';

export const jobsCommand = defineCommand({
  name: 'jobs',
  summary: 'List the recent jobs: yours, or everyone’s where the policy allows',
  description:
    'Shown to you alone. Everyone’s jobs only when the policy names you in its `jobs` entry; otherwise your own.',
  risk: 'read',
  examples: ['jobs'],
});
