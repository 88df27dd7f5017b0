// `updates [node]`: refresh the package lists and list the pending updates, on one node or all.

import type { ClusterSnapshot } from '../../proxmox/read-cluster-snapshot.js';
import { resolveNodes } from '../check-node.js';
import { defineCommand } from '../grammar/define-command.js';
import { nodeName } from '../grammar/value-schemas.js';
import { type ArgsOf, defineChatCommand } from './define-chat-command.js';
import type { PlanResult } from './planned-job.js';

const definition = defineCommand({
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

export function planUpdates(args: ArgsOf<typeof definition>, snapshot: ClusterSnapshot): PlanResult {
  const resolved = resolveNodes(snapshot, args.node === undefined ? [] : [args.node]);
  if (!resolved.ok) return resolved;
  const where = resolved.nodes[0] ?? 'every node';
  return {
    ok: true,
    plan: {
      kind: 'updates',
      payload: { nodes: resolved.nodes },
      text: `refresh package lists and list pending updates on ${where}`,
    },
  };
}

export const updatesCommand = defineChatCommand({
  definition,
  handle: async (ctx, args) => ctx.request(planUpdates(args, await ctx.readCluster())),
});
