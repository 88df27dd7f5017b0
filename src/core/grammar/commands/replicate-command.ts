import { z } from 'zod';
import { defineCommand } from '../define-command.js';
import { quoteInput } from '../quote-input.js';
import { nodeName, vmRef } from '../value-schemas.js';

/** A calendar event as pvesr takes it (`*\/15`, `mon..fri 22:30`, `hourly`), one word in chat. */
const schedule = () =>
  z.string().check((ctx) => {
    if (/^[A-Za-z0-9*/:,.~-]{1,64}$/.test(ctx.value)) return;
    ctx.issues.push({
      code: 'custom',
      message: `${quoteInput(ctx.value)} is not a schedule (a calendar event such as */15 or hourly)`,
      input: ctx.value,
    });
  });

export const replicateCommand = defineCommand({
  name: 'replicate',
  summary: 'Replicate a guest’s local ZFS disks to another node on a schedule',
  description:
    'Creates a storage replication job for the guest to that node (every 15 minutes unless `--schedule`); its first, full sync starts at once. The guest’s disks must be on storage that can replicate (ZFS).',
  positionals: [
    { name: 'vm', schema: vmRef(), description: 'the guest (name or vmid)' },
    { name: 'node', schema: nodeName(), description: 'the target node' },
  ],
  flags: {
    schedule: {
      schema: schedule(),
      description: 'how often (a calendar event, default */15)',
      value: 'event',
    },
  },
  risk: 'disruptive',
  examples: ['replicate TestVM node02', 'replicate 100 node03 --schedule */30'],
});
