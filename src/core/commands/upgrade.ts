// `upgrade <nodes…>|--all`: the rolling upgrade. Its real plan (order, guests that move, reboots)
// needs the pending updates, which only the worker's token may read (Sys.Modify), so the request
// starts a planning job whose result proposes the upgrade for approval (`approvalAfterJob`).
import { z } from 'zod';
import type { ClusterSnapshot } from '../../proxmox/read-cluster-snapshot.js';
import { resolveNodes } from '../check-node.js';
import { defineCommand } from '../grammar/define-command.js';
import { choice, nodeNames } from '../grammar/value-schemas.js';
import { type ArgsOf, defineChatCommand } from './define-chat-command.js';
import type { PlanResult } from './planned-job.js';
import { scheduleExclusive, scheduleFlags } from './schedule-flags.js';
import { snapshotFirstFlag } from './snapshot-first-flag.js';

export const REBOOT_MODES = ['auto', 'always', 'never'] as const;

const definition = defineCommand({
  name: 'upgrade',
  summary: 'Upgrade nodes one at a time: drain, dist-upgrade, reboot, bring the guests back',
  description:
    'First a plan (order, lightest node first; the guests that move and where; expected reboots) for on-call to approve. Then one node at a time: pre-flight, HA maintenance and migrations, `apt-get dist-upgrade` over SSH, a reboot when needed, and the guests back. Pause, Resume and Abort work between steps; the first failure stops it.',
  positionals: [
    { name: 'nodes', schema: nodeNames(), description: 'the nodes to upgrade', optional: true, rest: true },
  ],
  flags: {
    ...scheduleFlags,
    all: { schema: z.boolean(), description: 'every node of the cluster' },
    reboot: {
      schema: choice(REBOOT_MODES, 'a reboot mode').default('auto'),
      description: 'auto: when a new kernel or /var/run/reboot-required asks; always; never',
      value: 'mode',
    },
    'dry-run': { schema: z.boolean(), description: 'show the plan only; nothing runs' },
    ...snapshotFirstFlag,
  },
  exclusive: [scheduleExclusive],
  risk: 'disruptive',
  examples: [
    'upgrade --all',
    'upgrade node02 node03 --reboot never',
    'upgrade --all --dry-run',
    'upgrade node01 --snapshot',
  ],
  validate: ({ nodes, all }) => {
    if (all && nodes && nodes.length > 0) return 'name nodes or give --all, not both: upgrade --all';
    if (!all && (!nodes || nodes.length === 0))
      return 'upgrade needs the nodes to upgrade, or --all: upgrade node02 node03, upgrade --all';
    return undefined;
  },
});

export function planUpgradeRequest(args: ArgsOf<typeof definition>, snapshot: ClusterSnapshot): PlanResult {
  const resolved = resolveNodes(snapshot, args.all ? [] : (args.nodes ?? []));
  if (!resolved.ok) return resolved;
  const which = args.all ? 'every node' : resolved.nodes.join(', ');
  return {
    ok: true,
    plan: {
      kind: 'upgrade-plan',
      payload: {
        nodes: resolved.nodes,
        reboot: args.reboot,
        dryRun: args.dryRun,
        ...(args.snapshot ? { snapshotFirst: true } : {}),
      },
      text: `plan the upgrade of ${which} (reboot ${args.reboot})${args.dryRun ? ', dry run' : ''}${args.snapshot ? ', snapshots first' : ''}`,
      approvalAfterJob: true,
    },
  };
}

export const upgradeCommand = defineChatCommand({
  definition,
  handle: async (ctx, args) => ctx.request(planUpgradeRequest(args, await ctx.readCluster())),
});
