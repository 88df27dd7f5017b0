// `ha [add|remove <vm>]`: the HA stack's state for everyone; adding or removing a guest is
// disruptive and resolved against one read of the cluster. A guest the HA stack already manages
// (its `hastate` in /cluster/resources) cannot be added again, one it does not manage cannot be
// removed: both refused here, before anyone is asked to approve.

import type { ClusterSnapshot } from '../../proxmox/read-cluster-snapshot.js';
import { defineCommand } from '../grammar/define-command.js';
import { choice, vmRef } from '../grammar/value-schemas.js';
import { guestLabel, guestsOf, guestTarget, resolveGuest } from '../resolve-guest.js';
import { type ArgsOf, defineChatCommand } from './define-chat-command.js';
import type { PlanResult } from './planned-job.js';

const definition = defineCommand({
  name: 'ha',
  summary: 'Show the HA stack, or add or remove a guest from HA management',
  description:
    'Without a word: the CRM master, each node’s LRM, every HA resource with its state and node, and the nodes in maintenance. `add <vm>` makes a guest HA-managed (`--state started|stopped`, default started); `remove <vm>` stops managing it (the guest stays as it is). Adding and removing may need an approval; showing never does.',
  positionals: [
    {
      name: 'action',
      schema: choice(['status', 'add', 'remove'], 'an HA action').default('status'),
      description: 'status (default), add or remove',
      optional: true,
    },
    { name: 'vm', schema: vmRef(), description: 'the guest (name or vmid)', optional: true },
  ],
  flags: {
    state: {
      schema: choice(['started', 'stopped'], 'an HA state').optional(),
      description: 'the state an added guest is kept in (default started)',
      value: 'state',
    },
  },
  validate(args) {
    if (args.action !== 'status' && args.vm === undefined)
      return `ha ${args.action} needs a guest (name or vmid)`;
    if (args.action === 'status' && args.vm !== undefined) return 'ha status takes no guest';
    if (args.action !== 'add' && args.state !== undefined) return '--state goes with ha add only';
    return undefined;
  },
  risk: 'disruptive',
  examples: ['ha', 'ha add TestVM', 'ha add 100 --state stopped', 'ha remove TestVM'],
});

export function planHa(args: ArgsOf<typeof definition>, snapshot: ClusterSnapshot): PlanResult {
  const { action } = args;
  if (action === 'status') return { ok: false, message: 'ha status changes nothing: it needs no plan' };
  const resolved = resolveGuest(guestsOf(snapshot), args.vm ?? '');
  if (!resolved.ok) return resolved;
  const guest = resolved.guest;
  const label = guestLabel(guest);
  const sid = `${guest.type === 'qemu' ? 'vm' : 'ct'}:${guest.vmid}`;
  if (guest.template) return { ok: false, message: `${label} is a template: the HA stack cannot run it.` };
  if (action === 'add') {
    if (guest.hastate !== undefined)
      return {
        ok: false,
        message: `${label} is already HA-managed (${sid}, ${guest.hastate}). \`ha\` shows it; \`ha remove ${guest.name ?? guest.vmid}\` stops managing it.`,
      };
    const state = args.state ?? 'started';
    const effect =
      state === 'started'
        ? guest.status === 'running'
          ? 'it keeps running'
          : 'the HA stack starts it'
        : guest.status === 'running'
          ? 'the HA stack stops it'
          : 'it stays stopped';
    return {
      ok: true,
      plan: {
        kind: 'ha-add',
        payload: { guest: guestTarget(guest), sid, state },
        text: `add ${label} on ${guest.node} to HA as ${sid}, state ${state} (${effect})`,
      },
    };
  }
  if (guest.hastate === undefined)
    return {
      ok: false,
      message: `${label} is not HA-managed: there is nothing to remove. \`ha\` lists the HA resources.`,
    };
  return {
    ok: true,
    plan: {
      kind: 'ha-remove',
      payload: { guest: guestTarget(guest), sid },
      text: `remove ${label} (${sid}, ${guest.hastate}) from HA; it stays ${guest.status ?? 'as it is'} on ${guest.node}, no longer recovered if its node fails`,
    },
  };
}

export const haCommand = defineChatCommand({
  definition,
  // Showing the HA stack only looks; adding or removing a resource changes the cluster.
  riskOf: (args) => (args.action === 'status' ? 'read' : 'disruptive'),
  async handle(ctx, args) {
    if (args.action === 'status') return ctx.read({ kind: 'ha', payload: {} });
    return ctx.request(planHa(args, await ctx.readCluster()));
  },
});
