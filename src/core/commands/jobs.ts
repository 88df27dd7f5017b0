// `jobs`: the recent jobs, to the person alone: everyone's where the policy's `jobs` entry names
// them, otherwise their own (anyone may list their own, so the general run check does not apply).
import { defineCommand } from '../grammar/define-command.js';
import { defineChatCommand } from './define-chat-command.js';

const definition = defineCommand({
  name: 'jobs',
  summary: 'List the recent jobs: yours, or everyone’s where the policy allows',
  description:
    'Shown to you alone. Everyone’s jobs only when the policy names you in its `jobs` entry; otherwise your own.',
  discord: { group: 'jobs', name: 'list' },
  risk: 'read',
  examples: ['jobs'],
});

export const jobsCommand = defineChatCommand({
  definition,
  gate: () => 'own-entry',
  async handle(ctx) {
    const everyone = ctx.mayView('jobs');
    const jobs = await ctx.recentJobs(everyone.ok ? 'everyone' : 'own');
    const list =
      jobs.length === 0
        ? 'No recent jobs.'
        : jobs
            .map(
              (j) =>
                `\`${j.jobId}\` ${j.kind} · ${j.state} · by ${j.requestedBy}${j.summary ? ` · ${j.summary}` : ''}`,
            )
            .join('\n');
    await ctx.tell({
      title: everyone.ok ? 'Recent jobs' : 'Your recent jobs',
      status: 'info',
      text: everyone.ok ? list : `${list}\n\nOnly yours. ${everyone.reason}`,
    });
    return 'answered';
  },
});
