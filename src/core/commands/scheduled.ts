// `scheduled`: what will run when (jobs approved for later with `--at` or `--window`), soonest
// first, each with Cancel. Shown to the person alone; cancelling follows the job's own rule (its
// requester, or whoever may approve its command).
import { jobKinds } from '../../jobs/kinds/index.js';
import { defineCommand } from '../grammar/define-command.js';
import { formatIn } from '../schedule/start-time.js';
import { defineChatCommand } from './define-chat-command.js';

const definition = defineCommand({
  name: 'scheduled',
  summary: 'List what will run when (approved for later), with Cancel',
  description: 'Jobs approved with `--at` or `--window` that have not started yet, soonest first.',
  discord: { group: 'jobs', name: 'scheduled' },
  risk: 'read',
  examples: ['scheduled'],
});

/** At most this many get a Cancel button (Discord shows 25 in all); the rest name `/pve cancel`. */
const MAX_BUTTONS = 10;

export const scheduledCommand = defineChatCommand({
  definition,
  async handle(ctx) {
    const now = ctx.now();
    const jobs = (await ctx.scheduledJobs()).sort((a, b) => a.schedule.startAt - b.schedule.startAt);
    if (jobs.length === 0) {
      await ctx.tell({
        title: 'Nothing is scheduled',
        status: 'info',
        text: 'Ask with `--at` or `--window` on a disruptive command.',
      });
      return 'answered';
    }
    const lines = jobs.map((j) => {
      const kind = jobKinds.get(j.kind);
      const parsed = kind?.payload.safeParse(j.payload);
      const targets = parsed?.success ? (kind?.locks?.(parsed.data) ?? []).map((t) => t.label) : [];
      const what = [j.kind, ...targets].join(' ');
      const window = j.schedule.window ? `, window ${j.schedule.window}` : '';
      return `\`${j.jobId}\` ${what} · starts ${j.schedule.startText ?? new Date(j.schedule.startAt).toISOString()} (${formatIn(j.schedule.startAt, now)}${window}) · by ${j.requestedBy}`;
    });
    await ctx.tell({
      title: `Scheduled: ${jobs.length}`,
      status: 'info',
      text: [
        ...lines,
        ...(jobs.length > MAX_BUTTONS ? [`Cancel the others with \`/pve cancel <job id>\`.`] : []),
      ].join('\n'),
      buttons: jobs.slice(0, MAX_BUTTONS).map((j) => ({
        action: 'cancel-job',
        label: `Cancel ${j.jobId.slice(0, 12)}`,
        value: j.jobId,
        style: 'danger' as const,
      })),
    });
    return 'answered';
  },
});
