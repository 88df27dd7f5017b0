// Turns what collectDigest read into the report: each check says what it found, only when it
// says something; sections and lines are ordered most urgent first, and the headline names the
// problems (or says the cluster is healthy, with the figures that show it).

import { DEFAULT_BACKUP_MAX_AGE_DAYS } from '../../config/read-backup-config.js';
import { checkBackups } from './check-backups.js';
import { checkCertificates } from './check-certificates.js';
import { checkChanges } from './check-changes.js';
import { checkClock } from './check-clock.js';
import { checkCluster } from './check-cluster.js';
import { checkHa } from './check-ha.js';
import { checkNodes } from './check-nodes.js';
import { checkReplication } from './check-replication.js';
import { checkStorage } from './check-storage.js';
import { checkTasks } from './check-tasks.js';
import { checkUpdates } from './check-updates.js';
import { skewOf } from './clock-offsets.js';
import type { DigestContext, DigestFinding, SectionKey } from './digest-finding.js';
import { when } from './digest-format.js';
import type { DigestGuest, DigestInput } from './digest-input.js';
import type { DigestMemory } from './digest-memory.js';
import {
  type DigestLine,
  type DigestNodeFigures,
  type DigestReport,
  type DigestSection,
  SEVERITY_RANK,
} from './digest-report.js';

export type {
  DigestLine,
  DigestNodeFigures,
  DigestReport,
  DigestSection,
  DigestSeverity,
} from './digest-report.js';
export { renderDigestText } from './render-digest-text.js';

/** A section shows this many lines at most; the rest is counted in one more line. */
const MAX_LINES = 8;
/** The headline names this many problems at most. */
const HEADLINE_PROBLEMS = 3;
const DAY_MS = 86_400_000;

/** Sections of the same urgency come in this order. */
const SECTION_ORDER: readonly SectionKey[] = [
  'cluster',
  'nodes',
  'ha',
  'replication',
  'backups',
  'storage',
  'certificates',
  'clock',
  'tasks',
  'updates',
  'changes',
];

const CHECKS: ReadonlyArray<(ctx: DigestContext) => DigestFinding[]> = [
  checkCluster,
  checkNodes,
  checkHa,
  checkReplication,
  checkBackups,
  checkStorage,
  checkCertificates,
  checkClock,
  checkTasks,
  checkUpdates,
  checkChanges,
];

export interface DigestSettings {
  /** BACKUP_MAX_AGE_DAYS (default 7). */
  backupMaxAgeDays?: number;
}

export function buildDigest(
  input: DigestInput,
  previous: DigestMemory | undefined,
  now: number,
  settings: DigestSettings = {},
): DigestReport {
  const guests = new Map<number, DigestGuest>(input.guests.map((g) => [g.vmid, g]));
  const skews = new Map(
    input.nodes.flatMap((n) => (n.details?.time ? [[n.node, skewOf(n.details.time)] as const] : [])),
  );
  const ctx: DigestContext = {
    input,
    previous,
    now,
    since: previous?.at ?? now - DAY_MS,
    backupMaxAgeDays: settings.backupMaxAgeDays ?? DEFAULT_BACKUP_MAX_AGE_DAYS,
    guest: (vmid) => guests.get(vmid),
    // + 1 s: the skew itself is measured to about a second; better a task twice than never.
    taskEndedAt: (task) => (task.endtime + 2) * 1000 - (skews.get(task.node) ?? 0),
  };
  const findings = CHECKS.flatMap((check) => check(ctx));
  const problems = findings.filter((f) => f.severity !== 'info');
  return {
    headline: headline(input, problems),
    healthy: problems.length === 0,
    sections: sections(findings, titles(ctx)),
    nodes: nodeFigures(input),
  };
}

function titles(ctx: DigestContext): Record<SectionKey, string> {
  return {
    cluster: 'Cluster',
    nodes: 'Nodes',
    ha: 'HA',
    replication: 'Replication',
    backups: 'Backups',
    storage: 'Storage',
    certificates: 'Certificates',
    clock: 'Clocks',
    tasks: 'Failed tasks',
    updates: 'Updates',
    changes: ctx.previous ? `Since the last digest (${when(ctx.previous.at, ctx.now)})` : 'In the last 24 h',
  };
}

function sections(findings: DigestFinding[], title: Record<SectionKey, string>): DigestSection[] {
  const bySection = new Map<SectionKey, DigestFinding[]>();
  for (const finding of findings)
    bySection.set(finding.section, [...(bySection.get(finding.section) ?? []), finding]);
  const ordered = [...bySection].map(([key, own]) => {
    // A stable sort: lines of one severity keep the order their check gave them.
    const lines = [...own].sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity]);
    return { key, rank: SEVERITY_RANK[lines[0]?.severity ?? 'info'], lines };
  });
  ordered.sort((a, b) => a.rank - b.rank || SECTION_ORDER.indexOf(a.key) - SECTION_ORDER.indexOf(b.key));
  return ordered.map(({ key, lines }) => ({ title: title[key], lines: capped(lines) }));
}

function capped(findings: DigestFinding[]): DigestLine[] {
  const lines = findings.map(({ severity, text }) => ({ severity, text }));
  if (lines.length <= MAX_LINES) return lines;
  const shown = lines.slice(0, MAX_LINES - 1);
  const hidden = lines.slice(MAX_LINES - 1);
  // The most urgent of the hidden lines, so the summary line is not read as less than it is.
  return [...shown, { severity: hidden[0]?.severity ?? 'info', text: `… and ${hidden.length} more` }];
}

function headline(input: DigestInput, problems: DigestFinding[]): string {
  const name = input.cluster.name ?? input.nodes[0]?.node ?? 'cluster';
  if (problems.length === 0) {
    const online = input.nodes.filter((n) => n.online).length;
    const real = input.guests.filter((g) => !g.template);
    const running = real.filter((g) => g.status === 'running').length;
    const quorum = input.cluster.name === undefined ? 'standalone' : 'quorate';
    return `${name}: healthy — ${online}/${input.nodes.length} nodes online, ${quorum}, ${running}/${real.length} guests running`;
  }
  const words = [
    ...new Set(
      [...problems]
        .sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity])
        .map((p) => p.problem ?? p.text),
    ),
  ];
  const named = words.slice(0, HEADLINE_PROBLEMS).join(', ');
  const more = words.length > HEADLINE_PROBLEMS ? ', …' : '';
  return `${name}: ${words.length} problem${words.length === 1 ? '' : 's'} — ${named}${more}`;
}

function nodeFigures(input: DigestInput): DigestNodeFigures[] {
  const counts = new Map<string, { running: number; stopped: number }>();
  for (const guest of input.guests) {
    if (guest.template) continue;
    const own = counts.get(guest.node) ?? { running: 0, stopped: 0 };
    if (guest.status === 'running') own.running += 1;
    else if (guest.status === 'stopped') own.stopped += 1;
    counts.set(guest.node, own);
  }
  return input.nodes.map((n) => ({
    node: n.node,
    online: n.online,
    cpu: n.online ? (n.cpu ?? 0) : 0,
    memUsed: n.online ? (n.memUsed ?? 0) : 0,
    memTotal: n.memTotal ?? 0,
    guestsRunning: counts.get(n.node)?.running ?? 0,
    guestsStopped: counts.get(n.node)?.stopped ?? 0,
  }));
}
