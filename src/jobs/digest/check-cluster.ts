// The cluster as a whole: quorum and votes, the load range across nodes, guests per node.
// Votes: corosync gives each node one vote unless quorum_votes says otherwise, and
// /cluster/status does not report votes, so members count as one vote each.
import type { DigestContext, DigestFinding } from './digest-finding.js';
import { count, duration, percent, plural } from './digest-format.js';

/** Past this many nodes, guests are counted for the cluster only (the chart has every node). */
const NODES_LISTED = 8;

export function checkCluster(ctx: DigestContext): DigestFinding[] {
  const { cluster, nodes } = ctx.input;
  const findings: DigestFinding[] = [];
  const total = cluster.nodeCount;
  const present = nodes.filter((n) => n.online).length;
  const needed = Math.floor(total / 2) + 1;
  const votes = `${present}/${total} votes, ${needed} needed`;
  let quorumPart: string | undefined;
  if (cluster.name === undefined) {
    quorumPart = 'standalone node';
  } else if (!cluster.quorate) {
    findings.push({
      section: 'cluster',
      severity: 'critical',
      text: `Not quorate (${votes}): /etc/pve is read-only, no guest can be started, migrated or changed until enough nodes are back`,
      problem: 'no quorum',
    });
  } else if (present < total && present - 1 < needed) {
    findings.push({
      section: 'cluster',
      severity: 'info',
      text: `Quorate with ${votes}: one more node down and the cluster loses quorum`,
    });
  } else {
    quorumPart = `quorate, ${votes}`;
  }
  const load = loadSummary(ctx);
  const parts = [quorumPart, load].filter((part) => part !== undefined && part !== '');
  if (parts.length > 0) {
    const text = parts.join(' · ');
    findings.push({ section: 'cluster', severity: 'info', text: text[0]?.toUpperCase() + text.slice(1) });
  }
  findings.push({ section: 'cluster', severity: 'info', text: guestSummary(ctx) });
  return findings;
}

/** `CPU 2–9 % · memory 18–32 % · up 12–45 days` over the online nodes. */
function loadSummary(ctx: DigestContext): string {
  const online = ctx.input.nodes.filter((n) => n.online);
  const range = (values: number[], show: (value: number) => string): string | undefined => {
    if (values.length === 0) return undefined;
    const low = show(Math.min(...values));
    const high = show(Math.max(...values));
    if (low === high) return low;
    const [lowNumber, lowUnit] = low.split(' ');
    return lowUnit === high.split(' ')[1] ? `${lowNumber}–${high}` : `${low} – ${high}`;
  };
  const cpu = range(
    online.flatMap((n) => n.cpu ?? []),
    (v) => percent(v),
  );
  const memory = range(
    online.flatMap((n) => (n.memUsed !== undefined && n.memTotal ? n.memUsed / n.memTotal : [])),
    (v) => percent(v),
  );
  const up = range(
    online.flatMap((n) => n.uptime ?? []),
    (v) => duration(v),
  );
  return [cpu && `CPU ${cpu}`, memory && `memory ${memory}`, up && `up ${up}`].filter(Boolean).join(' · ');
}

/** `Guests: 4 running, 2 stopped, 1 template — node01 1/1, node02 2/0, node03 1/1 running/stopped`. */
function guestSummary(ctx: DigestContext): string {
  const { guests, nodes } = ctx.input;
  const real = guests.filter((g) => !g.template);
  const running = real.filter((g) => g.status === 'running').length;
  const stopped = real.filter((g) => g.status === 'stopped').length;
  const unknown = real.length - running - stopped;
  const templates = guests.length - real.length;
  const counts = [
    `${count(running)} running`,
    `${count(stopped)} stopped`,
    ...(unknown > 0 ? [`${count(unknown)} unknown (node down)`] : []),
    ...(templates > 0 ? [plural(templates, 'template')] : []),
  ].join(', ');
  if (nodes.length > NODES_LISTED || nodes.length < 2) return `Guests: ${counts}`;
  const perNode = nodes.map((n) => {
    const own = real.filter((g) => g.node === n.node);
    const up = own.filter((g) => g.status === 'running').length;
    const down = own.filter((g) => g.status === 'stopped').length;
    return `${n.node} ${up}/${down}`;
  });
  return `Guests: ${counts} — running/stopped ${perNode.join(', ')}`;
}
