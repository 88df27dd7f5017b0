// `cluster [join-info]`: quorum and members for everyone; the join information (node addresses
// and fingerprints) only for whom the policy's `cluster-join-info` entry names, whatever `cluster`
// or `*` say, answered to them alone (no public record, no progress).
import { defineCommand } from '../grammar/define-command.js';
import { choice } from '../grammar/value-schemas.js';
import { defineChatCommand } from './define-chat-command.js';

const definition = defineCommand({
  name: 'cluster',
  summary: 'Show quorum and members (pvecm status), or what a new node needs to join',
  description:
    'Without a word: the cluster name, quorum (expected and present votes), each node with its id, address, state and votes, and what losing one more node would do. `join-info`: the addresses and certificate fingerprints `pvecm add` needs (never a secret), shown to you alone and only when the policy names you in its `cluster-join-info` entry.',
  positionals: [
    {
      name: 'view',
      schema: choice(['status', 'join-info'], 'a view').default('status'),
      description: 'status (default) or join-info',
      optional: true,
    },
  ],
  risk: 'read',
  examples: ['cluster', 'cluster join-info'],
});

export const clusterCommand = defineChatCommand({
  definition,
  gate: (args) => (args.view === 'join-info' ? 'own-entry' : 'policy'),
  async handle(ctx, args) {
    if (args.view === 'status') return ctx.read({ kind: 'cluster', payload: { view: 'status' } });
    const allowed = ctx.mayView('cluster-join-info');
    if (!allowed.ok)
      return ctx.refuse('cluster-join-info', 'You may not see the join information', allowed.reason);
    return ctx.runPrivately({ kind: 'cluster', payload: { view: 'join-info' } }, (jobId) => ({
      title: `cluster join-info · job ${jobId}`,
      status: 'running',
      text: 'Reading what a new node needs to join; only you will see the answer.',
    }));
  },
});
