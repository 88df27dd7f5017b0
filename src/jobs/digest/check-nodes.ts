// Nodes: down, up but not answering, partly unreadable, overloaded, or in HA maintenance.
import { PveErrorCode } from '../../proxmox/pve-error.js';
import type { DigestContext, DigestFinding } from './digest-finding.js';
import { bytes, code, listNames, percent, plural } from './digest-format.js';
import type { DigestNode, NodeReadKind, ReadFailure } from './digest-input.js';

/** CPU or memory use from which a node is called busy. */
const BUSY = 0.9;

/** The reads every online node gets (replication only where a replicated guest lives). */
const ALWAYS_READ: readonly NodeReadKind[] = ['time', 'certificates', 'versions', 'updates'];

const READ_NAMES: Record<NodeReadKind, string> = {
  time: 'Clock',
  certificates: 'Certificates',
  versions: 'Kernel and package versions',
  updates: 'Pending updates',
  replication: 'Replication state',
};

/**
 * What a 403 on a read means for the token (the update list needs Sys.Modify: pve-manager
 * PVE/API2/APT.pm list_updates checks `['perm', '/nodes/{node}', ['Sys.Modify']]`).
 */
const PERMISSION_HINTS: Partial<Record<NodeReadKind, string>> = {
  updates: 'the token needs Sys.Modify on /nodes to read the cached update list (Sys.Audit is not enough)',
};

export function checkNodes(ctx: DigestContext): DigestFinding[] {
  const findings: DigestFinding[] = [];
  const failedReads = new Map<NodeReadKind, Array<{ node: string; failure: ReadFailure }>>();
  for (const node of ctx.input.nodes) {
    if (!node.online) {
      findings.push(offline(ctx, node));
      continue;
    }
    const errors = Object.entries(node.details?.errors ?? {}) as Array<[NodeReadKind, ReadFailure]>;
    if (notRead(node)) {
      const first = errors[0]?.[1];
      findings.push({
        section: 'nodes',
        severity: 'warning',
        text: `${node.node}: online in the cluster, but its reads failed (${code(first?.message ?? 'no answer')}): not read`,
        problem: `${node.node} not read`,
      });
      continue;
    }
    for (const [kind, failure] of errors) {
      failedReads.set(kind, [...(failedReads.get(kind) ?? []), { node: node.node, failure }]);
    }
    if (inMaintenance(ctx, node.node)) {
      findings.push({
        section: 'nodes',
        severity: 'warning',
        text: `${node.node}: in HA maintenance mode — its HA guests run elsewhere until it is disabled (${code(`ha-manager crm-command node-maintenance disable ${node.node}`)})`,
        problem: `${node.node} in maintenance`,
      });
    }
  }
  findings.push(...busy(ctx.input.nodes.filter((n) => n.online && !notRead(n))));
  for (const [kind, failures] of failedReads) findings.push(readFailure(kind, failures));
  return findings;
}

/** Online, yet every read of it failed: its pveproxy is down or unreachable. */
function notRead(node: DigestNode): boolean {
  return node.details !== undefined && ALWAYS_READ.every((kind) => node.details?.errors[kind] !== undefined);
}

function offline(ctx: DigestContext, node: DigestNode): DigestFinding {
  const guests = ctx.input.guests.filter((g) => g.node === node.node && !g.template).length;
  const stranded =
    guests > 0 ? `; ${plural(guests, 'guest')} on it ${guests === 1 ? 'is' : 'are'} unknown` : '';
  return {
    section: 'nodes',
    severity: 'critical',
    text: `${node.node}: offline — not read${stranded}`,
    problem: `${node.node} offline`,
  };
}

/** Nodes at 90 % CPU or memory, one line per resource (a busy cluster is one story, not 60). */
function busy(nodes: DigestNode[]): DigestFinding[] {
  const findings: DigestFinding[] = [];
  const cpu = nodes
    .flatMap((n) => (n.cpu !== undefined && n.cpu >= BUSY ? [{ node: n, share: n.cpu }] : []))
    .sort((a, b) => b.share - a.share);
  const memory = nodes
    .flatMap((n) => {
      const share = n.memUsed !== undefined && n.memTotal ? n.memUsed / n.memTotal : 0;
      return share >= BUSY ? [{ node: n, share }] : [];
    })
    .sort((a, b) => b.share - a.share);
  const [onlyCpu] = cpu;
  if (cpu.length === 1 && onlyCpu) {
    findings.push({
      section: 'nodes',
      severity: 'warning',
      text: `${onlyCpu.node.node}: CPU ${percent(onlyCpu.share)} busy`,
      problem: `${onlyCpu.node.node} CPU ${percent(onlyCpu.share)}`,
    });
  } else if (cpu.length > 1) {
    findings.push({
      section: 'nodes',
      severity: 'warning',
      text: `CPU ${percent(BUSY)} busy or more on ${listNames(cpu.map((c) => `${c.node.node} ${percent(c.share)}`))}`,
      problem: `CPU busy on ${cpu.length} nodes`,
    });
  }
  const [onlyMemory] = memory;
  if (memory.length === 1 && onlyMemory) {
    const { node, share } = onlyMemory;
    findings.push({
      section: 'nodes',
      severity: 'warning',
      text: `${node.node}: memory ${percent(share)} used (${bytes(node.memUsed ?? 0)} of ${bytes(node.memTotal ?? 0)})`,
      problem: `${node.node} memory ${percent(share)}`,
    });
  } else if (memory.length > 1) {
    findings.push({
      section: 'nodes',
      severity: 'warning',
      text: `Memory ${percent(BUSY)} used or more on ${listNames(memory.map((m) => `${m.node.node} ${percent(m.share)}`))}`,
      problem: `memory short on ${memory.length} nodes`,
    });
  }
  return findings;
}

/** The node's LRM says `maintenance mode`, or /cluster/resources its HA state `maintenance`. */
function inMaintenance(ctx: DigestContext, node: string): boolean {
  const entry = ctx.input.nodes.find((n) => n.node === node);
  if (entry?.hastate === 'maintenance') return true;
  const lrm = ctx.input.ha?.lrms.find((l) => l.node === node);
  return lrm?.status?.includes('maintenance mode') === true;
}

/** One line per kind of read, for every node where it failed. */
function readFailure(
  kind: NodeReadKind,
  failures: Array<{ node: string; failure: ReadFailure }>,
): DigestFinding {
  const nodes = listNames(failures.map((f) => f.node));
  const first = failures[0]?.failure;
  const hint = PERMISSION_HINTS[kind];
  // A token deliberately kept read-only is a choice, not a problem to raise every morning.
  if (first?.code === PveErrorCode.Permission && hint) {
    return { section: 'nodes', severity: 'info', text: `${READ_NAMES[kind]} not read on ${nodes}: ${hint}` };
  }
  return {
    section: 'nodes',
    severity: 'warning',
    text: `${READ_NAMES[kind]} not read on ${nodes}: ${code(first?.message ?? 'no answer')}`,
    problem: `${READ_NAMES[kind].toLowerCase()} not read`,
  };
}
