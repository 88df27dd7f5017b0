import { defineCommand } from '../define-command.js';
import { integer } from '../value-schemas.js';

export const auditCommand = defineCommand({
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
