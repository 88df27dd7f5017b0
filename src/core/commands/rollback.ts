// `rollback <vm> <snapshot> [--start]`: back to a snapshot, losing every change since. Disruptive,
// and the policy example puts it under approval. The snapshot is read from PVE as the command is
// planned: an unknown one is refused with the guest's snapshots, and the approval card says what
// approving means: how much time of changes will be lost, that a running guest is stopped, and
// whether it will be running afterwards (a snapshot with RAM resumes; otherwise only `--start`).
import { z } from 'zod';
import { describeAge, utcMinute } from '../../jobs/snapshots/snapshot-tree.js';
import type { ClusterSnapshot } from '../../proxmox/read-cluster-snapshot.js';
import type { GuestResource } from '../../proxmox/schemas/cluster-schemas.js';
import type { SnapshotList } from '../../proxmox/snapshot-api.js';
import { defineCommand } from '../grammar/define-command.js';
import { vmRef } from '../grammar/value-schemas.js';
import { guestLabel, guestsOf, guestTarget, resolveGuest } from '../resolve-guest.js';
import { type ArgsOf, defineChatCommand } from './define-chat-command.js';
import type { PlanResult } from './planned-job.js';
import { scheduleExclusive, scheduleFlags } from './schedule-flags.js';
import { existingSnapshots, snapshotName } from './snapshot-names.js';

const definition = defineCommand({
  name: 'rollback',
  summary: 'Roll a guest back to one of its snapshots (its changes since are lost)',
  description:
    'Every change since the snapshot is lost; the approval card says how much time that is. A running guest is stopped first. A snapshot with RAM (`snapshot --vmstate`) comes back running; otherwise the guest stays stopped unless `--start`. `snapshots <vm>` lists the snapshots.',
  positionals: [
    { name: 'vm', schema: vmRef(), description: 'the guest (name or vmid)' },
    { name: 'snapshot', schema: snapshotName(), description: 'the snapshot to go back to' },
  ],
  flags: {
    ...scheduleFlags,
    start: { schema: z.boolean(), description: 'start the guest after the rollback' },
  },
  discord: { group: 'snapshot', name: 'rollback' },
  exclusive: [scheduleExclusive],
  risk: 'disruptive',
  examples: ['rollback TestVM before-upgrade', 'rollback 100 before-upgrade --start'],
});

type RollbackArgs = ArgsOf<typeof definition>;

/** The guest to roll back, resolved against one read of the cluster. */
export function rollbackGuest(
  args: RollbackArgs,
  cluster: ClusterSnapshot,
): { ok: true; guest: GuestResource } | { ok: false; message: string } {
  const resolved = resolveGuest(guestsOf(cluster), args.vm);
  if (!resolved.ok) return resolved;
  if (resolved.guest.template)
    return {
      ok: false,
      message: `${guestLabel(resolved.guest)} is a template: it has no snapshots to roll back to.`,
    };
  return resolved;
}

/** The plan, from the guest and its snapshots as read now (`now`: the core's clock, ms). */
export function planRollback(
  args: RollbackArgs,
  guest: GuestResource,
  list: SnapshotList,
  now: number,
): PlanResult {
  const label = guestLabel(guest);
  const snapshot = list.snapshots.find((s) => s.name === args.snapshot);
  if (!snapshot)
    return {
      ok: false,
      message: `${label} has no snapshot named \`${args.snapshot}\`. ${existingSnapshots(list)}`,
    };
  if (snapshot.incomplete)
    return {
      ok: false,
      message: `\`${snapshot.name}\` of ${label} is incomplete (PVE: snapstate ${snapshot.incomplete}): PVE does not roll back to it.`,
    };
  const name = `\`${snapshot.name}\``;
  const lost =
    snapshot.takenAt === undefined
      ? `Every change since ${name} will be lost (PVE keeps no date for it).`
      : `${describeAge(now - snapshot.takenAt * 1000)} of changes since ${name} (taken ${utcMinute(snapshot.takenAt)}) will be lost.`;
  const running = list.running || guest.status === 'running';
  const state = running
    ? `${label} is running now: it will be stopped first.`
    : `${label} is ${guest.status ?? 'not running'} now.`;
  const after = snapshot.withRam
    ? `Afterwards it runs again from the RAM kept with ${name}.`
    : args.start
      ? 'Afterwards it is started (--start).'
      : 'Afterwards it stays stopped (add --start to start it).';
  return {
    ok: true,
    plan: {
      kind: 'rollback',
      payload: { guest: guestTarget(guest), snapshot: snapshot.name, start: args.start },
      text: `rollback ${label} on ${guest.node} to ${name}`,
      details: [lost, state, after].join('\n'),
    },
  };
}

export const rollbackCommand = defineChatCommand({
  definition,
  async handle(ctx, args) {
    const resolved = rollbackGuest(args, await ctx.readCluster());
    if (!resolved.ok) return ctx.request(resolved);
    const list = await ctx.readSnapshots(guestTarget(resolved.guest));
    return ctx.request(planRollback(args, resolved.guest, list, ctx.now()));
  },
});
