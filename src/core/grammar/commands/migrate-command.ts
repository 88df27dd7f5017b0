import { z } from 'zod';
import { defineCommand } from '../define-command.js';
import { nodeName, vmRef } from '../value-schemas.js';

export const migrateCommand = defineCommand({
  name: 'migrate',
  summary: 'Move a guest to another node',
  description:
    'A running VM moves live unless `--offline` is given; a stopped one moves offline. HA-managed guests move through the HA manager.',
  positionals: [
    { name: 'vm', schema: vmRef(), description: 'the VM to move (name or vmid)' },
    { name: 'node', schema: nodeName(), description: 'a target node' },
  ],
  flags: {
    online: { schema: z.boolean(), description: 'live-migrate a running VM' },
    offline: { schema: z.boolean(), description: 'move offline (the guest must be stopped)' },
    'with-local-disks': { schema: z.boolean(), description: 'also copy disks on local storage' },
  },
  exclusive: [['online', 'offline']],
  risk: 'disruptive',
  examples: [
    'migrate TestVM node03',
    'migrate 100 node02 --online',
    'migrate TestVM node03 --offline --with-local-disks',
  ],
  aliases: ['mv'],
});
