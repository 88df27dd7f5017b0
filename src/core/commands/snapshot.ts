// `snapshot <vm> [name] [--vmstate] [--description "…"]`: take a snapshot; `snapshot delete <vm>
// <snapshot>`: delete one. Taking one changes the guest's configuration but loses nothing, so it
// is disruptive (a policy entry must name who may) and the policy example lets it run without an
// approval; deleting one loses a way back, so it is judged under its own entry, `snapshot-delete`,
// which the example puts under approval. Names are checked against PVE's rule as typed; a
// container's `--vmstate`, a template, a name already used and an unknown snapshot are refused
// before anyone approves.
import { z } from 'zod';
import { botSnapshotName } from '../../jobs/snapshots/bot-snapshot-name.js';
import { isSnapshotName } from '../../jobs/snapshots/snapshot-name-rule.js';
import { utcMinute } from '../../jobs/snapshots/snapshot-tree.js';
import type { ClusterSnapshot } from '../../proxmox/read-cluster-snapshot.js';
import type { GuestResource } from '../../proxmox/schemas/cluster-schemas.js';
import type { SnapshotList } from '../../proxmox/snapshot-api.js';
import { defineCommand } from '../grammar/define-command.js';
import { quoteInput } from '../grammar/quote-input.js';
import { vmRef } from '../grammar/value-schemas.js';
import { guestLabel, guestsOf, guestTarget, resolveGuest } from '../resolve-guest.js';
import { type ArgsOf, defineChatCommand } from './define-chat-command.js';
import type { PlanResult } from './planned-job.js';
import { existingSnapshots, newSnapshotNameProblem, snapshotName } from './snapshot-names.js';

const DELETE = 'delete';
const isVmRef = (text: string) => vmRef().safeParse(text).success;

const definition = defineCommand({
  name: 'snapshot',
  summary: 'Take a snapshot of a guest (or `snapshot delete` one)',
  description:
    'Named `chatops-<date>-<time>` (UTC) unless you name it: the bot’s own snapshots have that form, and the policy’s `snapshots: { keep: N }` deletes the bot’s oldest ones of the guest beyond N after each new one (never anyone else’s). `--vmstate` keeps the RAM of a running VM (containers have none), so a rollback resumes it running. The result offers a Roll back button. Taking a snapshot loses nothing, but it changes the guest, so a policy entry must allow it (the example needs no approval); `snapshot delete <vm> <snapshot>` is judged under the `snapshot-delete` entry, which the example puts under approval.',
  positionals: [
    {
      name: 'vm',
      schema: vmRef(),
      description: 'the guest (name or vmid); or delete, then the guest and the snapshot',
    },
    {
      name: 'name',
      schema: z.string().check((ctx) => {
        if (isSnapshotName(ctx.value) || isVmRef(ctx.value)) return;
        ctx.issues.push({ code: 'custom', message: newSnapshotNameProblem(ctx.value)!, input: ctx.value });
      }),
      description: 'a name for the snapshot (default chatops-<date>-<time>)',
      optional: true,
    },
    {
      name: 'snapshot',
      schema: snapshotName(),
      description: 'with delete: the snapshot to delete',
      optional: true,
    },
  ],
  flags: {
    vmstate: { schema: z.boolean(), description: 'keep the RAM of a running VM too (not for containers)' },
    description: {
      schema: z.string().max(1000, 'a description of at most 1000 characters'),
      description: 'a note kept with the snapshot',
      value: 'text',
    },
  },
  validate(args) {
    if (args.vm.toLowerCase() === DELETE) {
      if (args.name === undefined || args.snapshot === undefined)
        return 'snapshot delete needs the guest and the snapshot: `snapshot delete <vm> <snapshot>` (`snapshots <vm>` lists them; a guest named delete goes by its vmid)';
      if (!isVmRef(args.name)) return `${quoteInput(args.name)} is not a VM name or vmid`;
      if (args.vmstate || args.description !== undefined)
        return '--vmstate and --description go with taking a snapshot, not deleting one';
      return undefined;
    }
    if (args.snapshot !== undefined)
      return `too many arguments for snapshot: ${quoteInput(args.snapshot)} is extra; usage \`snapshot <vm> [name] [--vmstate] [--description <text>]\` or \`snapshot delete <vm> <snapshot>\``;
    return args.name === undefined ? undefined : newSnapshotNameProblem(args.name);
  },
  discord: [
    {
      group: 'snapshot',
      name: 'take',
      summary: 'Take a snapshot of a guest (the result offers Roll back)',
      positionals: [{ name: 'vm', description: 'the guest (name or vmid)' }, 'name'],
    },
    {
      group: 'snapshot',
      name: 'delete',
      summary: 'Delete a snapshot of a guest (it can no longer be rolled back to)',
      words: [DELETE],
      positionals: [
        { name: 'vm', description: 'the guest (name or vmid)' },
        { name: 'snapshot', description: 'the snapshot to delete', required: true },
      ],
      flags: [],
    },
  ],
  risk: 'disruptive',
  examples: [
    'snapshot TestVM',
    'snapshot TestVM before-kernel --vmstate --description "kernel 6.8"',
    'snapshot delete TestVM before-upgrade',
  ],
});

type SnapshotArgs = ArgsOf<typeof definition>;

function isDelete(args: SnapshotArgs): boolean {
  return args.vm.toLowerCase() === DELETE && args.snapshot !== undefined;
}

/** The guest the command names, refused when it is a template (PVE snapshots no template). */
function snapshotGuest(
  typed: string,
  cluster: ClusterSnapshot,
): { ok: true; guest: GuestResource } | { ok: false; message: string } {
  const resolved = resolveGuest(guestsOf(cluster), typed);
  if (!resolved.ok) return resolved;
  if (resolved.guest.template)
    return {
      ok: false,
      message: `${guestLabel(resolved.guest)} is a template: PVE takes no snapshots of templates (clone it first).`,
    };
  return resolved;
}

/**
 * Taking a snapshot: the guest resolved, a container's `--vmstate` refused, a name already used
 * refused when `existing` (the guest's snapshots, read when a name was given) shows it. `keep`
 * is the policy's retention, carried to the job in its payload.
 */
export function planSnapshot(
  args: SnapshotArgs,
  cluster: ClusterSnapshot,
  options: { keep?: number | undefined; existing?: SnapshotList; now: number },
): PlanResult {
  const resolved = snapshotGuest(args.vm, cluster);
  if (!resolved.ok) return resolved;
  const guest = resolved.guest;
  const label = guestLabel(guest);
  if (args.vmstate && guest.type === 'lxc')
    return {
      ok: false,
      message: `${label} is a container: PVE keeps no RAM with a container's snapshot. Leave out --vmstate.`,
    };
  if (args.name !== undefined && options.existing?.snapshots.some((s) => s.name === args.name))
    return {
      ok: false,
      message: `${label} already has a snapshot named \`${args.name}\`. Choose another name, or leave it out for \`${botSnapshotName(options.now)}\`. ${existingSnapshots(options.existing)}`,
    };
  const ram = !args.vmstate
    ? 'disks only'
    : guest.status === 'running'
      ? 'with its RAM'
      : `no RAM to keep: it is ${guest.status ?? 'not running'}`;
  const name = args.name === undefined ? 'chatops-<date>-<time>' : `\`${args.name}\``;
  const keep = options.keep;
  return {
    ok: true,
    plan: {
      kind: 'snapshot',
      payload: {
        guest: guestTarget(guest),
        vmstate: args.vmstate,
        ...(args.name === undefined ? {} : { name: args.name }),
        ...(args.description === undefined ? {} : { description: args.description }),
        ...(keep === undefined ? {} : { keep }),
      },
      text: `snapshot ${label} on ${guest.node} as ${name}, ${ram}`,
      ...(keep === undefined
        ? {}
        : {
            details: `Retention: the bot’s newest ${keep} snapshot${keep === 1 ? '' : 's'} of ${label} stay, its older ones are deleted (never anyone else’s).`,
          }),
    },
  };
}

/** Deleting a snapshot: the guest resolved and the snapshot found in its list (`existing`). */
export async function planSnapshotDelete(
  typedGuest: string,
  name: string,
  cluster: ClusterSnapshot,
  existing: (guest: GuestResource) => Promise<SnapshotList>,
): Promise<PlanResult> {
  {
    const resolved = snapshotGuest(typedGuest, cluster);
    if (!resolved.ok) return resolved;
    const guest = resolved.guest;
    const label = guestLabel(guest);
    const list = await existing(guest);
    const snapshot = list.snapshots.find((s) => s.name === name);
    if (!snapshot)
      return {
        ok: false,
        message: `${label} has no snapshot named \`${name}\`. ${existingSnapshots(list)}`,
      };
    const children = list.snapshots.filter((s) => s.parent === name).length;
    const notes = [
      snapshot.takenAt === undefined ? undefined : `Taken ${utcMinute(snapshot.takenAt)}`,
      snapshot.withRam ? 'with RAM' : undefined,
      list.currentParent === name ? 'the current state descends from it' : undefined,
      children > 0
        ? `${children} later snapshot${children === 1 ? '' : 's'} will hang from its parent`
        : undefined,
    ].filter(Boolean);
    return {
      ok: true,
      plan: {
        kind: 'snapshot-delete',
        payload: { guest: guestTarget(guest), snapshot: name },
        text: `delete snapshot \`${name}\` of ${label} on ${guest.node}`,
        details: `${notes.length > 0 ? `${notes.join('; ')}. ` : ''}A deleted snapshot cannot be rolled back to.`,
      },
    };
  }
}

export const snapshotCommand = defineChatCommand({
  definition,
  // Deleting a snapshot loses a way back: its own entry decides who may and who approves.
  policyEntry: (args) => (isDelete(args) ? 'snapshot-delete' : 'snapshot'),
  async handle(ctx, args) {
    const cluster = await ctx.readCluster();
    if (isDelete(args))
      return ctx.request(
        await planSnapshotDelete(args.name!, args.snapshot!, cluster, (guest) =>
          ctx.readSnapshots(guestTarget(guest)),
        ),
      );
    // A given name is checked against the guest's snapshots now rather than failing in the task.
    const resolved = args.name === undefined ? undefined : snapshotGuest(args.vm, cluster);
    const existing = resolved?.ok ? await ctx.readSnapshots(guestTarget(resolved.guest)) : undefined;
    return ctx.request(
      planSnapshot(args, cluster, {
        keep: ctx.settings.snapshots.keep,
        now: ctx.now(),
        ...(existing ? { existing } : {}),
      }),
    );
  },
});
