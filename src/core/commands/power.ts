// start, stop, shutdown and reboot share one shape (a guest, nothing else) and one plan: the
// guest resolved against one read of the cluster, refused when it is a template.
import type { JobPayload, JobRequest } from '../../jobs/kinds/index.js';
import type { ClusterSnapshot } from '../../proxmox/read-cluster-snapshot.js';
import { defineCommand } from '../grammar/define-command.js';
import { vmRef } from '../grammar/value-schemas.js';
import { guestLabel, guestsOf, guestTarget, resolveGuest } from '../resolve-guest.js';
import { defineChatCommand } from './define-chat-command.js';
import type { PlanResult } from './planned-job.js';
import { scheduleExclusive, scheduleFlags } from './schedule-flags.js';
import { snapshotFirstFlag } from './snapshot-first-flag.js';

export type PowerAction = 'start' | 'stop' | 'shutdown' | 'reboot';

/** Each action's job kind has the same name and payload; this map keeps that checked. */
function powerJob(action: PowerAction, payload: JobPayload<'start'>): JobRequest {
  const jobs: { [A in PowerAction]: JobRequest & { kind: A } } = {
    start: { kind: 'start', payload },
    stop: { kind: 'stop', payload },
    shutdown: { kind: 'shutdown', payload },
    reboot: { kind: 'reboot', payload },
  };
  return jobs[action];
}

export function planPower(
  action: PowerAction,
  vm: string,
  snapshot: ClusterSnapshot,
  snapshotFirst = false,
): PlanResult {
  const resolved = resolveGuest(guestsOf(snapshot), vm);
  if (!resolved.ok) return resolved;
  const guest = resolved.guest;
  const label = guestLabel(guest);
  if (guest.template)
    return {
      ok: false,
      message: `${label} is a template: it can be cloned, not started or stopped from chat.`,
    };
  return {
    ok: true,
    plan: {
      ...powerJob(action, { guest: guestTarget(guest) }),
      text: `${action} ${label} on ${guest.node} (now ${guest.status ?? 'unknown'})`,
      ...(snapshotFirst ? { snapshotFirst } : {}),
    },
  };
}

export function powerCommand<const A extends PowerAction>(action: A, summary: string, description: string) {
  return defineChatCommand({
    definition: defineCommand({
      name: action,
      summary,
      description,
      positionals: [{ name: 'vm', schema: vmRef(), description: `the VM to ${action} (name or vmid)` }],
      flags: { ...scheduleFlags },
      exclusive: [scheduleExclusive],
      risk: 'disruptive',
      examples: [`${action} TestVM`, `${action} 100`],
    }),
    handle: async (ctx, args) => ctx.request(planPower(action, args.vm, await ctx.readCluster())),
  });
}

/**
 * stop, shutdown and reboot: as powerCommand, with `--snapshot` (the safety net: what runs may be
 * lost, so a snapshot first; starting risks nothing).
 */
export function riskyPowerCommand<const A extends Exclude<PowerAction, 'start'>>(
  action: A,
  summary: string,
  description: string,
) {
  return defineChatCommand({
    definition: defineCommand({
      name: action,
      summary,
      description,
      positionals: [{ name: 'vm', schema: vmRef(), description: `the VM to ${action} (name or vmid)` }],
      flags: { ...snapshotFirstFlag, ...scheduleFlags },
      exclusive: [scheduleExclusive],
      risk: 'disruptive',
      examples: [`${action} TestVM`, `${action} 100 --snapshot`],
    }),
    handle: async (ctx, args) =>
      ctx.request(planPower(action, args.vm, await ctx.readCluster(), args.snapshot)),
  });
}
