// `create <name>`: a new empty VM, checked against one read of the cluster before anyone approves
// it (a free name, an online node), placed on the roomiest online node when none is named.
import { z } from 'zod';
import type { ClusterSnapshot } from '../../proxmox/read-cluster-snapshot.js';
import type { NodeResource } from '../../proxmox/schemas/cluster-schemas.js';
import { resolveNode } from '../check-node.js';
import { defineCommand } from '../grammar/define-command.js';
import { dnsName, integer, nodeName } from '../grammar/value-schemas.js';
import { guestLabel, guestsOf } from '../resolve-guest.js';
import { type ArgsOf, defineChatCommand } from './define-chat-command.js';
import type { PlanResult } from './planned-job.js';

const definition = defineCommand({
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

export const CREATE_DEFAULTS = { memoryMiB: 2048, cores: 2, diskGiB: 32 } as const;

export function planCreate(args: ArgsOf<typeof definition>, snapshot: ClusterSnapshot): PlanResult {
  const name = args.name;
  const taken = guestsOf(snapshot).find((g) => g.name?.toLowerCase() === name.toLowerCase());
  if (taken)
    return {
      ok: false,
      message: `A guest named ${name} already exists: ${guestLabel(taken)} on ${taken.node}. Choose another name.`,
    };
  let node: string | undefined;
  if (args.node !== undefined) {
    const resolved = resolveNode(snapshot, args.node);
    if (!resolved.ok) return resolved;
    node = resolved.node;
  } else {
    node = snapshot.resources
      .filter((r): r is NodeResource => r.type === 'node' && r.status === 'online')
      .sort((a, b) => (b.maxmem ?? 0) - (b.mem ?? 0) - ((a.maxmem ?? 0) - (a.mem ?? 0)))[0]?.node;
    if (!node) return { ok: false, message: 'No node is online to create the VM on.' };
  }
  const memoryMiB = args.memory ?? CREATE_DEFAULTS.memoryMiB;
  const cores = args.cores ?? CREATE_DEFAULTS.cores;
  return {
    ok: true,
    plan: {
      kind: 'create',
      payload: { name, node, memoryMiB, cores, diskGiB: CREATE_DEFAULTS.diskGiB, start: args.start },
      text: `create VM ${name} on ${node}: ${cores} cores, ${memoryMiB} MiB, ${CREATE_DEFAULTS.diskGiB} GiB disk${args.start ? ', then start it' : ''}`,
    },
  };
}

export const createCommand = defineChatCommand({
  definition,
  handle: async (ctx, args) => ctx.request(planCreate(args, await ctx.readCluster())),
});
