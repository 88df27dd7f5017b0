// `whoami [guests and nodes…]`: who the person is to the bot (identity, groups, policy roles) and to
// Proxmox (the PVE user the policy's identities map them to); for the guests and nodes named, what
// that PVE user may do there, as PVE says now. To them alone.
import { need, type PrivilegeNeed } from '../../jobs/privileges/required-privileges.js';
import type { ClusterSnapshot } from '../../proxmox/read-cluster-snapshot.js';
import { defineCommand } from '../grammar/define-command.js';
import { nodesOrVms } from '../grammar/value-schemas.js';
import type { PveIdentity } from '../identity/pve-user-of.js';
import type { IdentityMode } from '../policy/index.js';
import { guestLabel, guestsOf, resolveGuest } from '../resolve-guest.js';
import type { CommandContext } from './command-context.js';
import { defineChatCommand } from './define-chat-command.js';

const definition = defineCommand({
  name: 'whoami',
  summary: 'Show who you are to the bot and to Proxmox, and what you may do',
  description: 'Name guests or nodes to see what your Proxmox user may do on each (the bot asks Proxmox).',
  positionals: [
    {
      name: 'targets',
      schema: nodesOrVms(),
      description: 'guests or nodes to check (names or vmids)',
      optional: true,
      rest: true,
    },
  ],
  risk: 'read',
  examples: ['whoami', 'whoami TestVM node03'],
});

/** What whoami shows per guest or node: an action and the needs it takes there. */
interface Ability {
  action: string;
  needs: PrivilegeNeed[];
}

function guestAbilities(vmid: number): Ability[] {
  const on = { vmid };
  return [
    { action: 'start, stop, shut down, reboot', needs: [need('guest-power', 'power', on)] },
    { action: 'migrate', needs: [need('guest-migrate', 'migrate', on)] },
    { action: 'clone', needs: [need('guest-clone', 'clone', on)] },
    { action: 'snapshot', needs: [need('guest-snapshot', 'snapshot', on)] },
    { action: 'roll back', needs: [need('guest-rollback', 'roll back', on)] },
    { action: 'back up', needs: [need('guest-backup', 'back up', on)] },
    {
      action: 'replicate',
      needs: [need('replication-create', 'replicate', on), need('replication-create-8', 'replicate')],
    },
  ];
}

function nodeAbilities(node: string): Ability[] {
  return [
    { action: 'reboot, shut down', needs: [need('node-power', 'reboot', { node })] },
    {
      action: 'upgrade',
      needs: [need('node-packages', 'upgrade', { node }), need('node-power', 'reboot', { node })],
    },
  ];
}

function describeIdentity(identity: PveIdentity, mode: IdentityMode): string {
  const check =
    mode === 'off'
      ? 'not checked against Proxmox here'
      : mode === 'required'
        ? 'checked against Proxmox; without one you may only read'
        : 'checked against Proxmox when mapped';
  if (identity.kind === 'mapped') return `${identity.userid} (mapped from ${identity.via}; ${check})`;
  if (identity.kind === 'ambiguous')
    return `unclear: your groups map to ${identity.candidates.map((c) => `${c.userid} (${c.group})`).join(', ')} (${check})`;
  return `none (${check})`;
}

/** One line per target: what the PVE user may and may not do there. */
async function abilityLines(
  ctx: CommandContext,
  userid: string,
  targets: readonly string[],
  snapshot: ClusterSnapshot,
): Promise<string[]> {
  const lines: string[] = [];
  for (const typed of targets) {
    const node = snapshot.status.nodes.find((n) => n.name.toLowerCase() === typed.toLowerCase());
    let label: string;
    let abilities: Ability[];
    if (node) {
      label = `node ${node.name} (/nodes/${node.name})`;
      abilities = nodeAbilities(node.name);
    } else {
      const found = resolveGuest(guestsOf(snapshot), typed);
      if (!found.ok) {
        lines.push(`${typed}: ${found.message}`);
        continue;
      }
      label = `${guestLabel(found.guest)} (/vms/${found.guest.vmid})`;
      abilities = guestAbilities(found.guest.vmid);
    }
    const missing = await ctx.missingPrivileges(
      userid,
      abilities.flatMap((a) => a.needs),
    );
    const lacking = new Map(missing.map((m) => [m.need, m.lacking] as const));
    const may = abilities.filter((a) => a.needs.every((n) => !lacking.has(n))).map((a) => a.action);
    const mayNot = abilities
      .filter((a) => a.needs.some((n) => lacking.has(n)))
      .map((a) => {
        const privileges = a.needs.flatMap((n) => {
          const l = lacking.get(n);
          return l ? [l.join(n.any ? ' or ' : ' and ')] : [];
        });
        return `${a.action} (needs ${[...new Set(privileges)].join(', ')})`;
      });
    lines.push(
      `${label}: ${may.length > 0 ? `may ${may.join('; ')}` : 'may do nothing here'}${mayNot.length > 0 ? `. May not ${mayNot.join('; ')}` : ''}.`,
    );
  }
  return lines;
}

export const whoamiCommand = defineChatCommand({
  definition,
  async handle(ctx, args) {
    const { user } = ctx.event;
    const roles = ctx.roles();
    const { identity, mode } = ctx.pveIdentity();
    const fields = [
      { label: 'Identity', value: user.id },
      { label: 'Groups', value: user.groups.join(', ') || 'none' },
      { label: 'Roles', value: roles.join(', ') || 'none' },
      { label: 'Proxmox user', value: describeIdentity(identity, mode) },
    ];
    let text: string | undefined;
    const targets = args.targets ?? [];
    if (targets.length > 0) {
      if (identity.kind !== 'mapped') {
        text = 'Your chat account maps to no Proxmox user, so there is nothing to check on those.';
      } else {
        try {
          text = (await abilityLines(ctx, identity.userid, targets, await ctx.readCluster())).join('\n');
        } catch (error) {
          text = `Proxmox could not be asked what ${identity.userid} may do: ${error instanceof Error ? error.message : String(error)}`;
        }
      }
    }
    await ctx.tell({
      title: `You are ${user.name}`,
      status: 'info',
      fields,
      ...(text === undefined ? {} : { text }),
    });
    return 'answered';
  },
});
