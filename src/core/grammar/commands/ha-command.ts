import { defineCommand } from '../define-command.js';
import { choice, vmRef } from '../value-schemas.js';

export const haCommand = defineCommand({
  name: 'ha',
  summary: 'Show the HA stack, or add or remove a guest from HA management',
  description:
    'Without a word: the CRM master, each node’s LRM, every HA resource with its state and node, and the nodes in maintenance. `add <vm>` makes a guest HA-managed (`--state started|stopped`, default started); `remove <vm>` stops managing it (the guest stays as it is). Adding and removing may need an approval; showing never does.',
  positionals: [
    {
      name: 'action',
      schema: choice(['status', 'add', 'remove'], 'an HA action').default('status'),
      description: 'status (default), add or remove',
      optional: true,
    },
    { name: 'vm', schema: vmRef(), description: 'the guest (name or vmid)', optional: true },
  ],
  flags: {
    state: {
      schema: choice(['started', 'stopped'], 'an HA state').optional(),
      description: 'the state an added guest is kept in (default started)',
      value: 'state',
    },
  },
  validate(args) {
    if (args.action !== 'status' && args.vm === undefined)
      return `ha ${args.action} needs a guest (name or vmid)`;
    if (args.action === 'status' && args.vm !== undefined) return 'ha status takes no guest';
    if (args.action !== 'add' && args.state !== undefined) return '--state goes with ha add only';
    return undefined;
  },
  risk: 'disruptive',
  examples: ['ha', 'ha add TestVM', 'ha add 100 --state stopped', 'ha remove TestVM'],
});
