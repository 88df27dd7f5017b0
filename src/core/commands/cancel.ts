// `cancel <job>`: what the Cancel button does, typed. Who may is decided on the job's command.
import { defineCommand } from '../grammar/define-command.js';
import { jobId } from '../grammar/value-schemas.js';
import { defineChatCommand } from './define-chat-command.js';

const definition = defineCommand({
  name: 'cancel',
  summary: 'Cancel a job (stops its Proxmox task)',
  positionals: [{ name: 'job', schema: jobId(), description: 'the job id (from `jobs` or the job message)' }],
  discord: { group: 'jobs', name: 'cancel' },
  risk: 'read',
  examples: ['cancel 42', 'cancel migrate-7f3a'],
});

export const cancelCommand = defineChatCommand({
  definition,
  // Who may cancel a job is decided on the job (its requester, its command's approvers), as for
  // the Cancel button; a `*` entry must not stand in the way of the typed form.
  gate: () => 'own-entry',
  async handle(ctx, args) {
    await ctx.cancelJob(args.job);
    return 'answered';
  },
});
