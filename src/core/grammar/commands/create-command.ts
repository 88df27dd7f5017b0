import { z } from 'zod';
import { defineCommand } from '../define-command.js';
import { dnsName, integer, nodeName } from '../value-schemas.js';

export const createCommand = defineCommand({
  name: 'create',
  summary: 'Create a new empty VM, as the guide makes TestVM',
  description:
    'The next free vmid, 2 cores, 2048 MiB, a 32 GiB virtio-scsi disk on an image storage of the node, a virtio NIC on vmbr0, Linux as the OS type. Without `--node`, the online node with the most free memory.',
  positionals: [{ name: 'name', schema: dnsName(), description: 'a name for the VM' }],
  flags: {
    node: { schema: nodeName(), description: 'the node to create it on', value: 'node' },
    memory: {
      schema: integer(64, 4_194_304, 'a memory size in MiB'),
      description: 'memory in MiB (default 2048)',
      value: 'MiB',
    },
    cores: { schema: integer(1, 128, 'a number of cores'), description: 'CPU cores (default 2)', value: 'n' },
    start: { schema: z.boolean(), description: 'start it once created' },
  },
  risk: 'disruptive',
  examples: ['create TestVM2', 'create web03 --node node02 --memory 4096 --cores 4 --start'],
});
