import { z } from 'zod';
import { defineCommand } from '../define-command.js';
import { dnsName, nodeName, poolId, vmid, vmRef } from '../value-schemas.js';

export const cloneCommand = defineCommand({
  name: 'clone',
  summary: 'Create a new guest as a copy of another',
  description:
    'A full copy unless `--linked` (only from a template). The new guest gets the next free vmid unless `--id`.',
  positionals: [
    { name: 'vm', schema: vmRef(), description: 'the VM or template to copy (name or vmid)' },
    { name: 'new-name', schema: dnsName(), description: 'a name for the new guest' },
  ],
  flags: {
    id: { schema: vmid(), description: 'the vmid of the new guest', value: 'vmid' },
    target: { schema: nodeName(), description: 'the node to create it on', value: 'node' },
    pool: { schema: poolId(), description: 'a resource pool to add it to', value: 'pool' },
    linked: { schema: z.boolean(), description: 'a linked clone of a template instead of a full copy' },
  },
  risk: 'disruptive',
  examples: [
    'clone TestVM web02',
    'clone 9000 web03 --id 130 --target node02 --pool web',
    'clone 9000 web04 --linked',
  ],
  validate: ({ vm, newName }) =>
    vm.toLowerCase() === newName.toLowerCase()
      ? `the new name must differ from '${vm}': clone ${vm} <new-name>`
      : undefined,
});
