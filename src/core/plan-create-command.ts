// `create`: a new empty VM, checked against one read of the cluster before anyone approves it
// (a free name, an online node), placed on the roomiest online node when none is named.
import type { ClusterSnapshot } from '../proxmox/read-cluster-snapshot.js';
import type { GuestResource, NodeResource } from '../proxmox/schemas/cluster-schemas.js';
import { checkNode } from './check-node.js';
import type { PlanResult } from './plan-command.js';
import { guestLabel } from './resolve-guest.js';

export interface CreateArgs {
  name?: string;
  node?: string;
  memory?: number;
  cores?: number;
  start?: boolean;
}

export const CREATE_DEFAULTS = { memoryMiB: 2048, cores: 2, diskGiB: 32 } as const;

export function planCreate(args: CreateArgs, snapshot: ClusterSnapshot): PlanResult {
  const name = args.name ?? '';
  const taken = snapshot.resources
    .filter((r): r is GuestResource => r.type === 'qemu' || r.type === 'lxc')
    .find((g) => g.name?.toLowerCase() === name.toLowerCase());
  if (taken)
    return {
      ok: false,
      message: `A guest named ${name} already exists: ${guestLabel(taken)} on ${taken.node}. Choose another name.`,
    };
  let node: string | undefined;
  if (args.node !== undefined) {
    const problem = checkNode(snapshot, args.node);
    if (problem) return { ok: false, message: problem };
    node = snapshot.status.nodes.find((n) => n.name.toLowerCase() === args.node!.toLowerCase())!.name;
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
      payload: { name, node, memoryMiB, cores, diskGiB: CREATE_DEFAULTS.diskGiB, start: args.start === true },
      text: `create VM ${name} on ${node}: ${cores} cores, ${memoryMiB} MiB, ${CREATE_DEFAULTS.diskGiB} GiB disk${args.start ? ', then start it' : ''}`,
    },
  };
}
