// `replicate <vm> <node> [--schedule]`: resolved against one read of the cluster, refused here,
// before anyone is asked to approve, when the target is the guest's own node, unknown or offline,
// or the guest is a template. A second job to the same target, and volumes that cannot replicate,
// are refused by the job (it reads /cluster/replication) and by PVE in its own words.
import { z } from 'zod';
import type { ClusterSnapshot } from '../../proxmox/read-cluster-snapshot.js';
import { nodesOf, resolveNode } from '../check-node.js';
import { defineCommand } from '../grammar/define-command.js';
import { quoteInput } from '../grammar/quote-input.js';
import { nodeName, vmRef } from '../grammar/value-schemas.js';
import { guestLabel, guestsOf, guestTarget, resolveGuest } from '../resolve-guest.js';
import { type ArgsOf, defineChatCommand } from './define-chat-command.js';
import type { PlanResult } from './planned-job.js';

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

const definition = defineCommand({
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
  discord: {
    group: 'replication',
    name: 'create',
    summary: 'Create a replication job: a guest’s local ZFS disks to another node, on a schedule',
  },
  risk: 'disruptive',
  examples: ['replicate TestVM node02', 'replicate 100 node03 --schedule */30'],
});

export const DEFAULT_REPLICATION_SCHEDULE = '*/15';

export function planReplicate(args: ArgsOf<typeof definition>, snapshot: ClusterSnapshot): PlanResult {
  const resolved = resolveGuest(guestsOf(snapshot), args.vm);
  if (!resolved.ok) return resolved;
  const guest = resolved.guest;
  const label = guestLabel(guest);
  const resolvedTarget = resolveNode(snapshot, args.node);
  if (!resolvedTarget.ok) return resolvedTarget;
  const target = resolvedTarget.node;
  if (target === guest.node) {
    return {
      ok: false,
      message: `${label} lives on ${target}: replication copies its disks to another node. Choose one of ${
        nodesOf(snapshot)
          .filter((n) => n.name !== target)
          .map((n) => n.name)
          .join(', ') || 'the other nodes'
      }.`,
    };
  }
  if (guest.template)
    return { ok: false, message: `${label} is a template: clone it rather than replicate it.` };
  const schedule = args.schedule ?? DEFAULT_REPLICATION_SCHEDULE;
  return {
    ok: true,
    plan: {
      kind: 'replication-create',
      payload: { guest: guestTarget(guest), target, schedule },
      text: `replicate ${label} ${guest.node} → ${target}, schedule ${schedule} (the first sync copies its disks in full)`,
    },
  };
}

export const replicateCommand = defineChatCommand({
  definition,
  handle: async (ctx, args) => ctx.request(planReplicate(args, await ctx.readCluster())),
});
