import { z } from 'zod';
import { defineCommand } from '../define-command.js';
import { choice, nodeName } from '../value-schemas.js';

export const nodeCommand = defineCommand({
  name: 'node',
  summary: 'Reboot or shut down a node (refused when it would cost quorum or strand guests)',
  description:
    'Refused when the cluster would lose quorum, or when running guests that are not HA-managed would go down with the node (migrate them first, or `--force`). HA guests are moved or recovered by the HA stack.',
  positionals: [
    {
      name: 'action',
      schema: choice(['reboot', 'shutdown'], 'a node action'),
      description: 'reboot or shutdown',
    },
    { name: 'node', schema: nodeName(), description: 'the node' },
  ],
  flags: {
    force: {
      schema: z.boolean(),
      description: 'go ahead although running guests that are not HA-managed would stop',
    },
  },
  risk: 'disruptive',
  examples: ['node reboot node03', 'node shutdown node02 --force'],
});
