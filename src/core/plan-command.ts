// What a state-changing command will do, resolved against one read of the cluster and shown back
// before anything runs ("migrate TestVM (qemu/100) node01 → node03, live"), with the job it
// becomes. Refuses early, with a message that helps, what PVE would refuse later.
import { type BalanceSettings, DEFAULT_BALANCE_SETTINGS } from '../config/balance-settings.js';
import type { ClusterSnapshot } from '../proxmox/read-cluster-snapshot.js';
import type { GuestResource } from '../proxmox/schemas/cluster-schemas.js';
import { checkNode, nodesOf } from './check-node.js';
import { type BalanceArgs, planBalanceRequest } from './plan-balance-command.js';
import { type CreateArgs, planCreate } from './plan-create-command.js';
import { planHa } from './plan-ha-command.js';
import { type NodeCommandArgs, planNodePower, planUpdates, planUpgradeRequest } from './plan-node-command.js';
import { planReplicate } from './plan-replication-command.js';
import { guestLabel, resolveGuest } from './resolve-guest.js';

export interface PlannedJob {
  /** The job kind the worker runs. */
  kind: string;
  payload: Record<string, unknown>;
  /** The request shown back, resolved. */
  text: string;
  /**
   * The job only plans (it reads what the bot may not): it runs at once, and what it proposes is
   * what the policy's approval applies to (see ResultEvent.proposal).
   */
  approvalAfterJob?: boolean;
}

export type PlanResult = { ok: true; plan: PlannedJob } | { ok: false; message: string };

export interface CommandArgs extends NodeCommandArgs, Omit<CreateArgs, 'node'>, Omit<BalanceArgs, 'dryRun'> {
  vm?: string;
  node?: string;
  online?: boolean;
  offline?: boolean;
  withLocalDisks?: boolean;
  newName?: string;
  id?: number;
  target?: string;
  pool?: string;
  linked?: boolean;
}

const POWER = new Set(['start', 'stop', 'shutdown', 'reboot']);

function guestTarget(guest: GuestResource) {
  return {
    vmid: guest.vmid,
    type: guest.type,
    node: guest.node,
    ...(guest.name ? { name: guest.name } : {}),
  };
}

/** What the operator configured for commands that take defaults (BALANCE_*). */
export interface PlanDefaults {
  balance: BalanceSettings;
}

export function planCommand(
  name: string,
  args: CommandArgs,
  snapshot: ClusterSnapshot,
  defaults: PlanDefaults = { balance: DEFAULT_BALANCE_SETTINGS },
): PlanResult {
  if (name === 'balance') return planBalanceRequest(args, defaults.balance);
  if (name === 'updates') return planUpdates(args, snapshot);
  if (name === 'upgrade') return planUpgradeRequest(args, snapshot);
  if (name === 'node') return planNodePower(args, snapshot);
  if (name === 'create') return planCreate(args, snapshot);
  if (name === 'ha') return planHa(args, snapshot);
  if (name === 'replicate') return planReplicate(args, snapshot);
  const guests = snapshot.resources.filter((r): r is GuestResource => r.type === 'qemu' || r.type === 'lxc');
  const resolved = resolveGuest(guests, args.vm ?? '');
  if (!resolved.ok) return resolved;
  const guest = resolved.guest;
  const label = guestLabel(guest);
  if (guest.template && name !== 'clone') {
    return {
      ok: false,
      message: `${label} is a template: it can be cloned, not ${name === 'migrate' ? 'migrated' : 'started or stopped'} from chat.`,
    };
  }
  if (POWER.has(name)) {
    return {
      ok: true,
      plan: {
        kind: name,
        payload: { guest: guestTarget(guest) },
        text: `${name} ${label} on ${guest.node} (now ${guest.status ?? 'unknown'})`,
      },
    };
  }
  if (name === 'migrate') return planMigrate(args, snapshot, guest, label);
  if (name === 'clone') return planClone(args, snapshot, guests, guest, label);
  return { ok: false, message: `${name} is not a guest command` };
}

function planMigrate(
  args: CommandArgs,
  snapshot: ClusterSnapshot,
  guest: GuestResource,
  label: string,
): PlanResult {
  const target = args.node ?? '';
  const problem = checkNode(snapshot, target);
  if (problem) return { ok: false, message: problem };
  const node = nodesOf(snapshot).find((n) => n.name.toLowerCase() === target.toLowerCase())!.name;
  if (node === guest.node) return { ok: false, message: `${label} already runs on ${node}.` };
  const running = guest.status === 'running';
  if (args.offline && running) {
    return {
      ok: false,
      message: `${label} is running: an offline migration needs it stopped first (or leave out --offline for a live migration).`,
    };
  }
  if (args.online && guest.type === 'lxc') {
    return {
      ok: false,
      message: `${label} is a container: PVE has no live migration for containers; leave out --online (it migrates in restart mode).`,
    };
  }
  const how = !running
    ? 'offline'
    : guest.type === 'lxc'
      ? 'restart mode (shut down, moved, started)'
      : 'live';
  const disks = args.withLocalDisks ? ', with local disks' : '';
  const ha = guest.hastate ? `, through the HA stack (${guest.hastate})` : '';
  return {
    ok: true,
    plan: {
      kind: 'migrate',
      payload: {
        guest: guestTarget(guest),
        target: node,
        mode: args.offline ? 'offline' : args.online ? 'online' : 'auto',
      },
      text: `migrate ${label} ${guest.node} → ${node}, ${how}${disks}${ha}`,
    },
  };
}

function planClone(
  args: CommandArgs,
  snapshot: ClusterSnapshot,
  guests: GuestResource[],
  guest: GuestResource,
  label: string,
): PlanResult {
  const name = args.newName ?? '';
  const sameName = guests.find((g) => g.name?.toLowerCase() === name.toLowerCase());
  if (sameName)
    return {
      ok: false,
      message: `A guest named ${name} already exists: ${guestLabel(sameName)} on ${sameName.node}. Choose another name.`,
    };
  if (args.id !== undefined) {
    const taken = guests.find((g) => g.vmid === args.id);
    if (taken)
      return {
        ok: false,
        message: `Id ${args.id} is taken by ${guestLabel(taken)}. Leave out --id to get the next free one.`,
      };
  }
  let target: string | undefined;
  if (args.target !== undefined) {
    const problem = checkNode(snapshot, args.target);
    if (problem) return { ok: false, message: problem };
    target = nodesOf(snapshot).find((n) => n.name.toLowerCase() === args.target!.toLowerCase())!.name;
  }
  if (args.linked && !guest.template) {
    return {
      ok: false,
      message: `${label} is not a template: PVE makes linked clones of templates only. Leave out --linked for a full clone.`,
    };
  }
  const where = target ?? guest.node;
  return {
    ok: true,
    plan: {
      kind: 'clone',
      payload: {
        source: guestTarget(guest),
        name,
        full: !args.linked,
        ...(args.id === undefined ? {} : { newid: args.id }),
        ...(target === undefined ? {} : { target }),
        ...(args.pool === undefined ? {} : { pool: args.pool }),
      },
      text: `clone ${label} → ${name}${args.id === undefined ? '' : ` (id ${args.id})`} on ${where}, ${args.linked ? 'linked' : 'full'} copy${args.pool ? `, in pool ${args.pool}` : ''}`,
    },
  };
}
