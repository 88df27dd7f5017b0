// What the watch checks each look that can go bad and end: each node online, the cluster's
// quorum, each storage under ALERT_STORAGE_PERCENT. The cards' words are here.
import { bytes, duration, listNames, when } from '../digest/digest-format.js';
import type { ClusterLook, LookStorage } from './cluster-look.js';
import type { IncidentCheck } from './incidents.js';
import type { Incident } from './watch-memory.js';

/** A storage alert ends when the storage is this many points under the threshold (no flapping at 90 %). */
export const STORAGE_HYSTERESIS_POINTS = 5;
/** A storage this full is an error, not a warning: writes fail soon. */
const STORAGE_CRITICAL_PERCENT = 98;

/** `since 05:54 UTC`, or when the watch first saw it (it was bad before). */
function since(incident: Incident, now: number): string {
  return incident.atFirstLook
    ? `already when the watch first looked, at ${when(incident.since, now)}`
    : `since ${when(incident.since, now)}`;
}

/** `4 min` (`at least 4 min` for one that began before the watch). */
function lasted(incident: Incident, now: number): string {
  return `${incident.atFirstLook ? 'at least ' : ''}${duration((now - incident.since) / 1000)}`;
}

type Field = { label: string; value: string };

function flaps(incident: Incident): Field[] {
  return incident.times > 1
    ? [
        {
          label: 'Times',
          value: `${incident.times} since ${new Date(incident.openedAt).toISOString().slice(11, 16)} UTC`,
        },
      ]
    : [];
}

export function nodeChecks(look: ClusterLook, remembered: Record<string, Incident>): IncidentCheck[] {
  const now = look.at;
  const cluster = look.clusterName ? [{ label: 'Cluster', value: look.clusterName }] : [];
  const checks: IncidentCheck[] = look.nodes.map((node) => {
    const guests = [...look.guests.values()].filter((g) => g.node === node.name).map((g) => g.label);
    return {
      subject: `node:${node.name}`,
      bad: !node.online,
      open: (incident) => ({
        type: 'node',
        severity: 'error',
        title: `${node.name} is offline`,
        text: `${node.name} is offline ${since(incident, now)}.`,
        fields: [
          { label: 'Node', value: node.name },
          ...cluster,
          {
            label: 'Since',
            value: incident.atFirstLook ? 'before the watch started' : when(incident.since, now),
          },
          ...(guests.length > 0
            ? [{ label: 'Guests on it', value: `${guests.length}: ${listNames(guests, 6)}` }]
            : []),
          ...flaps(incident),
        ],
        offers: [{ label: 'Cluster status', command: 'cluster' }],
      }),
      resolve: (incident) => ({
        type: 'node',
        severity: 'info',
        // The card keeps its title (the bots mark it resolved); the text says how it ended.
        title: `${node.name} is offline`,
        text: incident.atFirstLook
          ? `${node.name} is back online after ${lasted(incident, now)} (offline when the watch first looked, at ${when(incident.since, now)}).`
          : `${node.name} is back online after ${lasted(incident, now)} (offline from ${when(incident.since, now)} to ${when(now, now)}).`,
        fields: [{ label: 'Node', value: node.name }, ...cluster, ...flaps(incident)],
        offers: [{ label: 'Cluster status', command: 'cluster' }],
      }),
    };
  });
  // A node removed from the cluster (pvecm delnode) while offline: its card ends too.
  const listed = new Set(look.nodes.map((n) => `node:${n.name}`));
  for (const subject of Object.keys(remembered)) {
    if (!subject.startsWith('node:') || listed.has(subject)) continue;
    const name = subject.slice('node:'.length);
    checks.push({
      subject,
      bad: false,
      open: () => ({ type: 'node', severity: 'error', title: `${name} is offline` }),
      resolve: () => ({
        type: 'node',
        severity: 'info',
        title: `${name} is offline`,
        text: `${name} is no longer a member of the cluster.`,
        fields: [{ label: 'Node', value: name }, ...cluster],
      }),
    });
  }
  return checks;
}

export function quorumCheck(look: ClusterLook): IncidentCheck[] {
  const name = look.clusterName;
  // A standalone node has no quorum to lose.
  if (!name) return [];
  const now = look.at;
  const online = look.nodes.filter((n) => n.online).map((n) => n.name);
  const offline = look.nodes.filter((n) => !n.online).map((n) => n.name);
  const members = { label: 'Nodes online', value: `${online.length} of ${look.nodes.length}` };
  return [
    {
      subject: `quorum:${name}`,
      bad: !look.quorate,
      open: (incident) => ({
        type: 'quorum',
        severity: 'error',
        title: `${name} has lost quorum`,
        text:
          `Quorum lost ${since(incident, now)}: on the nodes that are left, /etc/pve is read-only (no ` +
          'guest can be started, migrated or changed there) until a majority of the nodes is back.',
        fields: [
          { label: 'Cluster', value: name },
          members,
          ...(offline.length > 0 ? [{ label: 'Offline', value: listNames(offline, 6) }] : []),
          ...flaps(incident),
        ],
        offers: [{ label: 'Cluster status', command: 'cluster' }],
      }),
      resolve: (incident) => ({
        type: 'quorum',
        severity: 'info',
        title: `${name} has lost quorum`,
        text: `${name} is quorate again after ${lasted(incident, now)}.`,
        fields: [{ label: 'Cluster', value: name }, members, ...flaps(incident)],
        offers: [{ label: 'Cluster status', command: 'cluster' }],
      }),
    },
  ];
}

interface StorageUse {
  subject: string;
  /** `ceph-vm` (shared), `local-lvm on node01`. */
  where: string;
  storage: string;
  node: string | undefined;
  used: number;
  total: number;
}

/** Shared storages once for the cluster (as their fullest entry reads), local ones per node. */
function storageUses(storages: LookStorage[]): { uses: StorageUse[]; unread: Set<string> } {
  const uses = new Map<string, StorageUse>();
  const unread = new Set<string>();
  for (const s of storages) {
    const subject = s.shared ? `storage:${s.storage}` : `storage:${s.storage}@${s.node}`;
    if (!s.available || s.total <= 0) {
      unread.add(subject);
      continue;
    }
    const known = uses.get(subject);
    if (known && known.used / known.total >= s.used / s.total) continue;
    uses.set(subject, {
      subject,
      where: s.shared ? s.storage : `${s.storage} on ${s.node}`,
      storage: s.storage,
      node: s.shared ? undefined : s.node,
      used: s.used,
      total: s.total,
    });
  }
  for (const subject of uses.keys()) unread.delete(subject);
  return { uses: [...uses.values()], unread };
}

export function storageChecks(
  look: ClusterLook,
  threshold: number,
  remembered: Record<string, Incident>,
): IncidentCheck[] {
  const { uses, unread } = storageUses(look.storages);
  const clear = threshold - STORAGE_HYSTERESIS_POINTS;
  const checks: IncidentCheck[] = uses.map((use) => {
    const percent = (use.used / use.total) * 100;
    const shown = `${Math.floor(percent)} %`;
    const where = use.node ? [{ label: 'Node', value: use.node }] : [{ label: 'Shared', value: 'yes' }];
    const usage = { label: 'Used', value: `${bytes(use.used)} of ${bytes(use.total)} (${shown})` };
    return {
      subject: use.subject,
      // Between the two thresholds nothing changes: an open alert stays open, none opens.
      bad: percent >= threshold ? true : percent < clear ? false : undefined,
      open: (incident) => ({
        type: 'storage',
        severity: percent >= STORAGE_CRITICAL_PERCENT ? 'error' : 'warning',
        title: `Storage ${use.where} is ${shown} full`,
        text: `${bytes(use.total - use.used)} free; the alert threshold is ${threshold} %.`,
        fields: [
          { label: 'Storage', value: use.storage },
          ...where,
          usage,
          { label: 'Threshold', value: `${threshold} %` },
          ...flaps(incident),
        ],
        offers: use.node ? [{ label: 'Node status', command: `status ${use.node}` }] : [],
      }),
      resolve: (incident) => ({
        type: 'storage',
        severity: 'info',
        title: `Storage ${use.where} is over ${threshold} %`,
        text: `Back under ${clear} % after ${lasted(incident, look.at)}: ${shown} full.`,
        fields: [{ label: 'Storage', value: use.storage }, ...where, usage, ...flaps(incident)],
      }),
    };
  });
  // A storage removed from storage.cfg (or from a node): its card ends. One not read this time
  // (its node offline) stays as it was.
  const listed = new Set([...uses.map((u) => u.subject), ...unread]);
  for (const subject of Object.keys(remembered)) {
    if (!subject.startsWith('storage:') || listed.has(subject)) continue;
    const name = subject.slice('storage:'.length).replace('@', ' on ');
    checks.push({
      subject,
      bad: false,
      open: () => ({ type: 'storage', severity: 'warning', title: `Storage ${name} is full` }),
      resolve: () => ({
        type: 'storage',
        severity: 'info',
        title: `Storage ${name} is full`,
        text: `Storage ${name} is no longer configured.`,
      }),
    });
  }
  return checks;
}
