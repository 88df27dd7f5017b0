// `node reboot|shutdown <node> [--force]`: refused before anyone is asked to approve it when it
// would cost the cluster its quorum (one vote per node, as corosync counts by default) or would take
// down running guests that the HA stack does not look after. `--force` passes the second check
// only under the policy's own `node-force` entry: who may, and with how many approvals.
import { z } from 'zod';
import type { ClusterSnapshot } from '../../proxmox/read-cluster-snapshot.js';
import { resolveNode } from '../check-node.js';
import { defineCommand } from '../grammar/define-command.js';
import { choice, nodeName } from '../grammar/value-schemas.js';
import { guestLabel, guestsOf } from '../resolve-guest.js';
import { type ArgsOf, defineChatCommand } from './define-chat-command.js';
import type { PlanResult } from './planned-job.js';
import { scheduleExclusive, scheduleFlags } from './schedule-flags.js';

const definition = defineCommand({
  name: 'node',
  summary: 'Reboot or shut down a node (refused when it would cost quorum or strand guests)',
  description:
    'Refused when the cluster would lose quorum, or when running guests that are not HA-managed would go down with the node (migrate them first, or `--force`). HA guests are moved or recovered by the HA stack.',
  positionals: [
    {
      name: 'action',
      schema: choice(['reboot', 'shutdown'], 'a node action'),
      description: 'reboot or shutdown',
    },
    { name: 'node', schema: nodeName(), description: 'the node' },
  ],
  flags: {
    ...scheduleFlags,
    force: {
      schema: z.boolean(),
      description: 'go ahead although running guests that are not HA-managed would stop',
    },
  },
  exclusive: [scheduleExclusive],
  risk: 'disruptive',
  examples: ['node reboot node03', 'node shutdown node02 --force'],
});

export function planNodePower(args: ArgsOf<typeof definition>, snapshot: ClusterSnapshot): PlanResult {
  const { action } = args;
  const resolved = resolveNode(snapshot, args.node);
  if (!resolved.ok) return resolved;
  const node = resolved.node;
  const members = snapshot.status.nodes;
  const needed = Math.floor(members.length / 2) + 1;
  const remaining = members.filter((n) => n.online && n.name !== node).length;
  if (remaining < needed) {
    return {
      ok: false,
      message: `${action === 'reboot' ? 'Rebooting' : 'Shutting down'} ${node} would cost the cluster its quorum: ${remaining} of ${members.length} votes would be left, ${needed} are needed. Bring the offline nodes back first (\`cluster\` shows them).`,
    };
  }
  const onNode = guestsOf(snapshot).filter((g) => g.node === node);
  const stranded = onNode.filter(
    (g) => g.status === 'running' && (g.hastate === undefined || g.hastate === 'ignored'),
  );
  if (stranded.length > 0 && !args.force) {
    return {
      ok: false,
      message: `${stranded.map(guestLabel).join(', ')} ${stranded.length === 1 ? 'runs' : 'run'} on ${node} without HA and would go down with it. Migrate ${stranded.length === 1 ? 'it' : 'them'} first, or add \`--force\`.`,
    };
  }
  const ha = onNode.filter((g) => g.hastate);
  const notes = [
    stranded.length > 0 ? `FORCED: ${stranded.map(guestLabel).join(', ')} will stop` : '',
    ha.length > 0 ? `${ha.length} HA guest(s) handled by the HA stack` : '',
  ].filter(Boolean);
  return {
    ok: true,
    plan: {
      kind: 'node-power',
      payload: { node, action },
      text: `${action} node ${node}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`,
    },
  };
}

export const nodeCommand = defineChatCommand({
  definition,
  policyEntry: (args) => (args.force ? 'node-force' : 'node'),
  handle: async (ctx, args) => ctx.request(planNodePower(args, await ctx.readCluster())),
});
