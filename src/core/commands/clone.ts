// `clone <vm> <new-name>`: a full copy (or a linked clone of a template), checked against one read
// of the cluster before anyone approves it: a free name, a free id, an online target node.
import { z } from 'zod';
import type { ClusterSnapshot } from '../../proxmox/read-cluster-snapshot.js';
import { resolveNode } from '../check-node.js';
import { defineCommand } from '../grammar/define-command.js';
import { dnsName, nodeName, poolId, vmid, vmRef } from '../grammar/value-schemas.js';
import { guestLabel, guestsOf, guestTarget, resolveGuest } from '../resolve-guest.js';
import { type ArgsOf, defineChatCommand } from './define-chat-command.js';
import type { PlanResult } from './planned-job.js';

const definition = defineCommand({
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

export function planClone(args: ArgsOf<typeof definition>, snapshot: ClusterSnapshot): PlanResult {
  const guests = guestsOf(snapshot);
  const resolved = resolveGuest(guests, args.vm);
  if (!resolved.ok) return resolved;
  const guest = resolved.guest;
  const label = guestLabel(guest);
  const name = args.newName;
  const sameName = guests.find((g) => g.name?.toLowerCase() === name.toLowerCase());
  if (sameName)
    return {
      ok: false,
      message: `A guest named ${name} already exists: ${guestLabel(sameName)} on ${sameName.node}. Choose another name.`,
    };
  if (args.id !== undefined) {
    const taken = guests.find((g) => g.vmid === args.id);
    if (taken)
      return {
        ok: false,
        message: `Id ${args.id} is taken by ${guestLabel(taken)}. Leave out --id to get the next free one.`,
      };
  }
  let target: string | undefined;
  if (args.target !== undefined) {
    const resolvedTarget = resolveNode(snapshot, args.target);
    if (!resolvedTarget.ok) return resolvedTarget;
    target = resolvedTarget.node;
  }
  if (args.linked && !guest.template) {
    return {
      ok: false,
      message: `${label} is not a template: PVE makes linked clones of templates only. Leave out --linked for a full clone.`,
    };
  }
  const where = target ?? guest.node;
  return {
    ok: true,
    plan: {
      kind: 'clone',
      payload: {
        source: guestTarget(guest),
        name,
        full: !args.linked,
        ...(args.id === undefined ? {} : { newid: args.id }),
        ...(target === undefined ? {} : { target }),
        ...(args.pool === undefined ? {} : { pool: args.pool }),
      },
      text: `clone ${label} → ${name}${args.id === undefined ? '' : ` (id ${args.id})`} on ${where}, ${args.linked ? 'linked' : 'full'} copy${args.pool ? `, in pool ${args.pool}` : ''}`,
    },
  };
}

export const cloneCommand = defineChatCommand({
  definition,
  handle: async (ctx, args) => ctx.request(planClone(args, await ctx.readCluster())),
});
