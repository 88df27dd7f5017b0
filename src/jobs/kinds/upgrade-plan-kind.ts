// upgrade-plan: reads what the plan needs and only the worker's token may read (fresh package
// lists per node need Sys.Modify), computes the rolling-upgrade plan, and proposes the upgrade
// itself for approval under the policy. A dry run stops at the plan.
import { z } from 'zod';
import type { GuestResource, NodeResource } from '../../proxmox/schemas/cluster-schemas.js';
import { JobError, JobErrorCode } from '../job-error.js';
import { defineJobKind } from '../job-kind.js';
import { jobScheduleSchema } from '../job-schedule.js';
import { planUpgrade } from '../upgrade/plan-upgrade.js';
import { type NodeReport, readNodeUpdates } from '../upgrade/read-node-updates.js';
import { describePlan, planHeadline, rebootModeSchema } from '../upgrade/upgrade-plan.js';

export const upgradePlanPayloadSchema = z.object({
  /** The nodes to upgrade; every node when empty (`--all`). */
  nodes: z.array(z.string().min(1)).default([]),
  reboot: rebootModeSchema.default('auto'),
  dryRun: z.boolean().default(false),
  /** `--snapshot`: the proposed upgrade snapshots each node's guests before its turn. */
  snapshotFirst: z.boolean().optional(),
  /** Who asked: the approval of the proposed upgrade is theirs to ask for (and not theirs to give). */
  requester: z.object({ id: z.string(), name: z.string(), groups: z.array(z.string()) }),
  /** `--at` / `--window`: the proposed upgrade waits until then. */
  schedule: jobScheduleSchema.optional(),
});

export const upgradePlanKind = defineJobKind({
  name: 'upgrade-plan',
  payload: upgradePlanPayloadSchema,
  async run(ctx) {
    const { reboot, dryRun, requester, snapshotFirst, schedule } = ctx.payload;
    const [status, resources] = await Promise.all([
      ctx.pve.clusterStatus(ctx.signal),
      ctx.pve.clusterResources(undefined, ctx.signal),
    ]);
    const offline = status.nodes.filter((n) => !n.online).map((n) => n.name);
    if (offline.length > 0) {
      throw new JobError(
        JobErrorCode.UpgradeFailed,
        `cannot plan an upgrade while ${offline.join(', ')} ${offline.length === 1 ? 'is' : 'are'} offline: every node must be online, so each drained node's guests have somewhere to go`,
      );
    }
    const nodes = ctx.payload.nodes.length > 0 ? ctx.payload.nodes : status.nodes.map((n) => n.name).sort();
    const reports: NodeReport[] = [];
    for (const node of nodes) reports.push(await readNodeUpdates(ctx, node));
    const unread = reports.filter((r) => !r.updates);
    if (unread.length > 0) {
      throw new JobError(
        JobErrorCode.UpgradeFailed,
        `cannot read the updates of ${unread.map((r) => `${r.node} (${r.problem})`).join(', ')}`,
      );
    }
    const planned = planUpgrade({
      nodes,
      keepOrder: ctx.payload.nodes.length > 0,
      nodeResources: resources.filter((r): r is NodeResource => r.type === 'node'),
      guests: resources.filter((r): r is GuestResource => r.type === 'qemu' || r.type === 'lxc'),
      updates: reports.flatMap((r) => (r.updates ? [r.updates] : [])),
      reboot,
    });
    if (!planned.ok) return { summary: `No upgrade: ${planned.message}` };
    const { plan } = planned;
    const text = describePlan(plan);
    if (dryRun)
      return { summary: `Dry run, nothing will run: ${planHeadline(plan)}`, text, details: { plan } };
    return {
      summary: `Plan: ${planHeadline(plan)}`,
      text,
      details: { plan },
      proposal: {
        command: 'upgrade',
        jobKind: 'upgrade',
        summary: planHeadline(plan),
        payload: { plan },
        requester,
        ...(snapshotFirst ? { snapshotFirst } : {}),
        ...(schedule ? { schedule } : {}),
      },
    };
  },
});
