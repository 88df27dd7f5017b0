// What changed since the previous digest (without one: reboots and migrations of the last
// 24 h): nodes that rebooted, guests that moved (a migration task, or another node than last
// time), guests created and removed (vmids new or gone since the remembered list).
import type { DigestContext, DigestFinding } from './digest-finding.js';
import { duration, guestLabel, when } from './digest-format.js';
import type { DigestGuest } from './digest-input.js';
import { bootTimeOf } from './digest-memory.js';

/** Migrations that moved the guest themselves; `hamigrate` only asks the CRM for one. */
const MOVES = new Set(['qmigrate', 'vzmigrate']);

export function checkChanges(ctx: DigestContext): DigestFinding[] {
  return [...reboots(ctx), ...migrations(ctx), ...createdAndRemoved(ctx)].map((text) => ({
    section: 'changes',
    severity: 'info',
    text,
  }));
}

function reboots(ctx: DigestContext): string[] {
  const lines: string[] = [];
  for (const node of ctx.input.nodes) {
    if (!node.online || node.uptime === undefined) continue;
    const booted = bootTimeOf(ctx.input.collectedAt, node.uptime);
    if (booted <= ctx.since) continue;
    lines.push(`${node.node} rebooted at ${when(booted, ctx.now)} (up ${duration(node.uptime)})`);
  }
  return lines;
}

function migrations(ctx: DigestContext): string[] {
  const done = (ctx.input.tasks ?? []).filter((t) => t.status === 'OK' && ctx.taskEndedAt(t) > ctx.since);
  const moves = new Map<number, string[]>();
  const asked = new Set<number>();
  for (const task of [...done].sort((a, b) => a.endtime - b.endtime)) {
    const vmid = Number(task.id);
    if (!Number.isInteger(vmid)) continue;
    if (MOVES.has(task.type)) moves.set(vmid, [...(moves.get(vmid) ?? []), task.node]);
    else if (task.type === 'hamigrate') asked.add(vmid);
  }
  const lines: string[] = [];
  for (const guest of ctx.input.guests) {
    const was = ctx.previous?.guests[String(guest.vmid)]?.node;
    const sources = moves.get(guest.vmid) ?? [];
    const moved = was !== undefined && was !== guest.node;
    if (!moved && sources.length === 0 && !asked.has(guest.vmid)) continue;
    const from = was ?? sources[0];
    const times = sources.length > 1 ? ` (${sources.length} migrations)` : '';
    if (from !== undefined && from !== guest.node) {
      lines.push(`${guestLabel(guest)} moved ${from} → ${guest.node}${times}`);
    } else if (sources.length > 0) {
      lines.push(`${guestLabel(guest)} migrated and is back on ${guest.node}${times}`);
    } else if (!moved) {
      // An HA migration whose qmigrate fell out of the recent task list.
      lines.push(`${guestLabel(guest)} migrated by HA, now on ${guest.node}`);
    }
  }
  return lines;
}

function createdAndRemoved(ctx: DigestContext): string[] {
  const previous = ctx.previous;
  if (!previous) return [];
  const lines: string[] = [];
  const current = new Set<string>();
  for (const guest of ctx.input.guests) {
    current.add(String(guest.vmid));
    if (previous.guests[String(guest.vmid)] === undefined)
      lines.push(`${guestLabel(guest)} created on ${guest.node} (${kindOf(guest)})`);
  }
  for (const [vmid, was] of Object.entries(previous.guests)) {
    if (current.has(vmid)) continue;
    const label = was.name ? `${was.name} (${vmid})` : `guest ${vmid}`;
    lines.push(`${label} removed (was on ${was.node})`);
  }
  return lines;
}

function kindOf(guest: DigestGuest): string {
  if (guest.template) return 'template';
  return guest.type === 'qemu' ? 'VM' : 'container';
}
