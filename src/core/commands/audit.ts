// `audit [n]`: the newest entries of the audit log, to the person alone, and only when the
// policy's `audit` entry names them.
import { defineCommand } from '../grammar/define-command.js';
import { integer } from '../grammar/value-schemas.js';
import { defineChatCommand } from './define-chat-command.js';

const definition = defineCommand({
  name: 'audit',
  summary: 'Show the latest entries of the audit log',
  description:
    'Shown to you alone, and only when the policy names you in its `audit` entry (`*` does not grant it).',
  positionals: [
    {
      name: 'n',
      schema: integer(1, 100, 'a number of entries').default(10),
      description: 'how many entries (1 to 100, default 10)',
      optional: true,
    },
  ],
  risk: 'read',
  examples: ['audit', 'audit 25'],
});

export const auditCommand = defineChatCommand({
  definition,
  async handle(ctx, args) {
    const allowed = ctx.mayView('audit');
    if (!allowed.ok) return ctx.refuse('audit', 'The audit log is private', allowed.reason);
    const records = await ctx.latestAudit(args.n);
    const text = records
      .map(
        (r) => `#${r.seq} ${new Date(r.at).toISOString().slice(0, 19)}Z ${r.actor} ${r.action}: ${r.summary}`,
      )
      .join('\n');
    await ctx.tell({ title: `Audit log, newest ${records.length}`, status: 'info', text: text || 'empty' });
    return 'answered';
  },
});
