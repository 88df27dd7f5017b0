// The digest as the chat adapters and the chart receive it: plain data, most urgent first.

export type DigestSeverity = 'critical' | 'warning' | 'info';

export interface DigestLine {
  severity: DigestSeverity;
  text: string;
}

export interface DigestSection {
  title: string;
  lines: DigestLine[];
}

/** One node's figures for the chart. */
export interface DigestNodeFigures {
  node: string;
  online: boolean;
  /** 0..1 */
  cpu: number;
  memUsed: number;
  memTotal: number;
  guestsRunning: number;
  guestsStopped: number;
}

export interface DigestReport {
  /** One line: `MonCluster: healthy — 3/3 nodes online, …` or `MonCluster: 2 problems — node03 offline, …`. */
  headline: string;
  /** No critical or warning line. */
  healthy: boolean;
  /** Most urgent first; empty sections are left out. */
  sections: DigestSection[];
  /** Every node, by name, for the chart. */
  nodes: DigestNodeFigures[];
}

export const SEVERITY_RANK: Record<DigestSeverity, number> = { critical: 0, warning: 1, info: 2 };
