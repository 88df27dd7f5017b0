// What each check hands to buildDigest: a line for one section, and for problems a few words
// for the headline.
import type { DigestGuest, DigestInput, DigestTask } from './digest-input.js';
import type { DigestMemory } from './digest-memory.js';
import type { DigestSeverity } from './digest-report.js';

export type SectionKey =
  | 'cluster'
  | 'nodes'
  | 'ha'
  | 'replication'
  | 'backups'
  | 'storage'
  | 'certificates'
  | 'clock'
  | 'updates'
  | 'tasks'
  | 'changes';

export interface DigestFinding {
  section: SectionKey;
  severity: DigestSeverity;
  text: string;
  /** Words for the headline (`node03 offline`); findings with the same words count as one problem. */
  problem?: string;
}

/** What every check reads, built once per digest. */
export interface DigestContext {
  input: DigestInput;
  previous: DigestMemory | undefined;
  /** Epoch ms the report is made at. */
  now: number;
  /** Epoch ms from which "since the last digest" counts: the previous digest, else 24 h back. */
  since: number;
  /** BACKUP_MAX_AGE_DAYS: a newer backup than this is recent enough. */
  backupMaxAgeDays: number;
  guest(vmid: number): DigestGuest | undefined;
  /**
   * When the task ended, epoch ms on our clock, at the latest: PVE writes whole seconds of the
   * node's clock, so the second is counted in full, the node's measured skew taken off, and a
   * second more for the skew's own uncertainty.
   */
  taskEndedAt(task: DigestTask): number;
}
