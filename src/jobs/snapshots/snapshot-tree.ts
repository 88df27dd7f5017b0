// A guest's snapshots as the tree PVE keeps (each names its `parent`; the list itself comes in no
// particular order), with the guest's current state placed under the snapshot it descends from,
// as PVE's "You are here!" entry is. Used by `/pve snapshots` and wherever a snapshot is named.
import type { GuestSnapshot, SnapshotList } from '../../proxmox/snapshot-api.js';
import { isBotSnapshot } from './bot-snapshot-name.js';

export type SnapshotTreeLine =
  | { type: 'snapshot'; snapshot: GuestSnapshot; depth: number }
  /** The guest as it is now, under the snapshot it descends from. */
  | { type: 'current'; depth: number; running: boolean };

/** Oldest first; undated ones after the dated, by name. */
function byAge(a: GuestSnapshot, b: GuestSnapshot): number {
  const at = (s: GuestSnapshot) => s.takenAt ?? Number.POSITIVE_INFINITY;
  return at(a) - at(b) || a.name.localeCompare(b.name);
}

/**
 * Depth-first from the roots (snapshots without a parent, or whose parent is gone), children
 * oldest first; the current state comes last under its parent. Every snapshot appears once, even
 * if the parents were to form a loop.
 */
export function snapshotTree(list: SnapshotList): SnapshotTreeLine[] {
  const names = new Set(list.snapshots.map((s) => s.name));
  const children = new Map<string | undefined, GuestSnapshot[]>();
  for (const snapshot of [...list.snapshots].sort(byAge)) {
    const parent = snapshot.parent !== undefined && names.has(snapshot.parent) ? snapshot.parent : undefined;
    children.set(parent, [...(children.get(parent) ?? []), snapshot]);
  }
  const current =
    list.currentParent !== undefined && names.has(list.currentParent) ? list.currentParent : undefined;
  const lines: SnapshotTreeLine[] = [];
  const seen = new Set<string>();
  const visit = (parent: string | undefined, depth: number) => {
    for (const snapshot of children.get(parent) ?? []) {
      if (seen.has(snapshot.name)) continue;
      seen.add(snapshot.name);
      lines.push({ type: 'snapshot', snapshot, depth });
      visit(snapshot.name, depth + 1);
    }
    if (parent === current) lines.push({ type: 'current', depth, running: list.running });
  };
  visit(undefined, 0);
  // A loop of parents has no root: its members are shown at the top rather than lost.
  for (const snapshot of list.snapshots)
    if (!seen.has(snapshot.name)) {
      seen.add(snapshot.name);
      lines.push({ type: 'snapshot', snapshot, depth: 0 });
    }
  return lines;
}

/** `2026-01-05 09:00 UTC` */
export function utcMinute(seconds: number): string {
  return `${new Date(seconds * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** One line per snapshot, indented by depth, the current state marked "you are here". */
export function renderSnapshotTree(list: SnapshotList): string {
  return snapshotTree(list)
    .map((line) => {
      const indent = '   '.repeat(line.depth);
      if (line.type === 'current') return `${indent}▶ you are here (${line.running ? 'running' : 'stopped'})`;
      const s = line.snapshot;
      const parts = [
        `\`${s.name}\``,
        s.takenAt === undefined ? 'no date' : utcMinute(s.takenAt),
        s.withRam ? 'with RAM' : 'disks only',
        ...(isBotSnapshot(s.name) ? ['by the bot'] : []),
        ...(s.incomplete ? [`incomplete (${s.incomplete})`] : []),
        ...(s.description.trim() ? [`“${s.description.trim().split('\n')[0]}”`] : []),
      ];
      return `${indent}${parts.join(' · ')}`;
    })
    .join('\n');
}

/** `3 h 12 min`, `4 min`, `2 d 5 h`, `less than a minute` */
export function describeAge(ms: number): string {
  const minutes = Math.floor(Math.max(0, ms) / 60_000);
  if (minutes < 1) return 'less than a minute';
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  if (days > 0) return hours > 0 ? `${days} d ${hours} h` : `${days} d`;
  if (hours > 0) return rest > 0 ? `${hours} h ${rest} min` : `${hours} h`;
  return `${rest} min`;
}
