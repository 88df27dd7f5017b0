import { defineCommand } from '../define-command.js';
import { nodeName } from '../value-schemas.js';

export const updatesCommand = defineCommand({
  name: 'updates',
  summary: 'Refresh package lists and show pending updates per node',
  description:
    'Runs `apt-get update` on each node (the aptupdate task), then lists what an upgrade would install, calling out kernel and pve-manager updates and the nodes that will need a reboot.',
  positionals: [
    { name: 'node', schema: nodeName(), description: 'one node (default: every node)', optional: true },
  ],
  risk: 'read',
  examples: ['updates', 'updates node02'],
});
