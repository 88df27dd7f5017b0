import { defineCommand } from '../define-command.js';
import { choice } from '../value-schemas.js';

export const clusterCommand = defineCommand({
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
