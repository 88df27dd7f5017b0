// Nodes whose clock is 2 s or more off the others'. Corosync, the HA manager's timestamps and
// certificate and ticket checks all assume the nodes agree on the time (pve-docs: "make sure the
// time is synchronised"; PVE ships chrony for it).

import { clockOffsets, skewOf } from './clock-offsets.js';
import type { DigestContext, DigestFinding } from './digest-finding.js';
import { code } from './digest-format.js';
import type { NodeTimeReading } from './digest-input.js';

const LIMIT_MS = 2000;
const ADVICE = `check its time sync (${code('chronyc tracking')})`;

export function checkClock(ctx: DigestContext): DigestFinding[] {
  const readings = new Map<string, NodeTimeReading>();
  for (const node of ctx.input.nodes) if (node.details?.time) readings.set(node.node, node.details.time);
  if (readings.size === 2) return pair(readings);
  const findings: DigestFinding[] = [];
  for (const [node, offset] of clockOffsets(readings)) {
    if (Math.abs(offset) < LIMIT_MS) continue;
    const seconds = Math.round(Math.abs(offset) / 1000);
    findings.push({
      section: 'clock',
      severity: 'warning',
      text: `${node}: clock ${seconds} s ${offset > 0 ? 'ahead of' : 'behind'} the other nodes — ${ADVICE}`,
      problem: `${node} clock ${offset > 0 ? '+' : '−'}${seconds} s`,
    });
  }
  return findings;
}

/** Two nodes: no majority to say which one is wrong, only that they disagree. */
function pair(readings: Map<string, NodeTimeReading>): DigestFinding[] {
  const [[a, first], [b, second]] = [...readings] as [[string, NodeTimeReading], [string, NodeTimeReading]];
  const apart = Math.abs(skewOf(first) - skewOf(second));
  if (apart < LIMIT_MS) return [];
  const seconds = Math.round(apart / 1000);
  return [
    {
      section: 'clock',
      severity: 'warning',
      text: `${a} and ${b}: clocks ${seconds} s apart — ${ADVICE} on both`,
      problem: `clocks ${seconds} s apart`,
    },
  ];
}
