// Which cluster a command is for, when the bot drives several: `--cluster`, else the channel's
// default in the policy (`channelClusters`), else the one cluster where every guest and node the
// command names exists. A name found in several clusters gets the candidates with their cluster;
// a command that names nothing (`balance`, `upgrade --all`) gets no cluster, and whatever it then
// reads or runs asks which one (ClusterChoiceError). A cluster that cannot be read does not slow
// the others: it is left out of the search, and named if nothing was found.

import type { ClusterSnapshot } from '../../proxmox/read-cluster-snapshot.js';
import type { GuestResource } from '../../proxmox/schemas/cluster-schemas.js';
import type { AnyChatCommand } from '../commands/index.js';
import { valueKindOf } from '../grammar/value-schemas.js';
import { guestLabel, guestsOf, resolveGuest } from '../resolve-guest.js';

export type ClusterChoice = { ok: true; cluster?: string } | { ok: false; message: string };

/**
 * How long the search (and `status` of every cluster) waits for one cluster's read: one that is
 * down does not hold up the others.
 */
export const CLUSTER_SEARCH_WAIT_MS = 5_000;

/** `read`, or a rejection once `ms` have passed. */
export function within<T>(read: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([read, late]).finally(() => clearTimeout(timer));
}

/** What a command reads or runs needs a cluster that was not chosen: told to the person. */
export class ClusterChoiceError extends Error {
  override readonly name = 'ClusterChoiceError';
}

export function whichCluster(names: readonly string[]): string {
  return `Which cluster? Add --cluster ${names.join(' or --cluster ')} (or set this channel's default in the policy's channelClusters).`;
}

/** The guests and nodes a command's arguments name (their grammar says which values are which). */
export function namedTargets(command: AnyChatCommand, args: Record<string, unknown>): string[] {
  const names: string[] = [];
  for (const p of command.definition.positionals) {
    const kind = valueKindOf(p.schema)?.kind;
    if (kind !== 'guest' && kind !== 'node' && kind !== 'guest-or-node') continue;
    const key = p.name.replace(/-([a-z])/g, (_: string, c: string) => c.toUpperCase());
    const value = args[key];
    if (typeof value === 'string') names.push(value);
    else if (Array.isArray(value)) names.push(...value.filter((v): v is string => typeof v === 'string'));
  }
  return names;
}

/** How `typed` resolves in one cluster: a node, a guest, or nothing. */
function findIn(snapshot: ClusterSnapshot, typed: string): string | undefined {
  const node = snapshot.status.nodes.find((n) => n.name.toLowerCase() === typed.toLowerCase());
  if (node) return `node ${node.name}`;
  const found = resolveGuest(guestsOf(snapshot), typed);
  return found.ok ? `${guestLabel(found.guest as GuestResource)} on ${found.guest.node}` : undefined;
}

export async function chooseCluster(options: {
  names: readonly string[];
  flag?: string | undefined;
  channelDefault?: string | undefined;
  targets: readonly string[];
  read: (cluster: string) => Promise<ClusterSnapshot>;
}): Promise<ClusterChoice> {
  const { names, flag, channelDefault, targets } = options;
  if (flag !== undefined) {
    if (names.includes(flag)) return { ok: true, cluster: flag };
    return { ok: false, message: `There is no cluster '${flag}': this bot drives ${names.join(', ')}.` };
  }
  if (names.length === 1) return { ok: true, cluster: names[0]! };
  if (channelDefault !== undefined && names.includes(channelDefault))
    return { ok: true, cluster: channelDefault };
  if (targets.length === 0) return { ok: true };
  const reads = await Promise.allSettled(
    names.map((name) => within(options.read(name), CLUSTER_SEARCH_WAIT_MS)),
  );
  const found: Array<{ cluster: string; labels: string[] }> = [];
  const unreadable: string[] = [];
  reads.forEach((read, i) => {
    const cluster = names[i]!;
    if (read.status === 'rejected') {
      unreadable.push(cluster);
      return;
    }
    const labels = targets.map((t) => findIn(read.value, t));
    if (labels.every((l) => l !== undefined)) found.push({ cluster, labels: labels as string[] });
  });
  // Found in one cluster while another could not be read: it may be there too, so nothing is
  // guessed; the person names the cluster.
  if (found.length === 1 && unreadable.length > 0) {
    const only = found[0]!;
    return {
      ok: false,
      message: `${targets.join(' ')} ${targets.length === 1 ? 'is' : 'are'} in ${only.cluster} (${only.labels.join(', ')}), but ${unreadable.join(', ')} could not be read now and may have ${targets.length === 1 ? 'it' : 'them'} too. Add --cluster ${only.cluster} to go ahead.`,
    };
  }
  if (found.length === 1) return { ok: true, cluster: found[0]!.cluster };
  if (found.length > 1) {
    const candidates = found.map((f) => `${f.cluster}: ${f.labels.join(', ')}`).join('; ');
    return {
      ok: false,
      message: `${targets.join(' ')} ${targets.length === 1 ? 'exists' : 'exist'} in several clusters (${candidates}). Add --cluster ${found.map((f) => f.cluster).join(' or --cluster ')}.`,
    };
  }
  const down = unreadable.length > 0 ? ` (${unreadable.join(', ')} could not be read now)` : '';
  return {
    ok: false,
    message: `No cluster has ${targets.join(' and ')}${down}: the clusters are ${names.join(', ')}. Add --cluster to see that cluster's names.`,
  };
}
