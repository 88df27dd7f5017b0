// The value schema of a snapshot name, shared by `snapshot`, `rollback` and `snapshot delete`: PVE's
// own rule (src/jobs/snapshots/snapshot-name-rule.ts), checked as the command is parsed, so a bad
// name is refused before anything runs, with what would be right.
import { z } from 'zod';
import { isBotSnapshot } from '../../jobs/snapshots/bot-snapshot-name.js';
import {
  isSnapshotName,
  reservedSnapshotName,
  SNAPSHOT_NAME_RULE,
} from '../../jobs/snapshots/snapshot-name-rule.js';
import type { SnapshotList } from '../../proxmox/snapshot-api.js';
import { quoteInput } from '../grammar/quote-input.js';

/** Why PVE would refuse `name` as a snapshot name, or undefined. */
export function snapshotNameProblem(name: string): string | undefined {
  if (!isSnapshotName(name)) return `${quoteInput(name)} is not ${SNAPSHOT_NAME_RULE}`;
  const reserved = reservedSnapshotName(name);
  if (reserved) return `'${reserved}' is a name PVE keeps for itself; choose another snapshot name`;
  return undefined;
}

/** Why a person may not give a new snapshot this name (PVE's rule, or the bot's own form). */
export function newSnapshotNameProblem(name: string): string | undefined {
  const problem = snapshotNameProblem(name);
  if (problem) return problem;
  if (isBotSnapshot(name))
    return `${quoteInput(name)} has the form of the bot's own snapshots (chatops-<date>-<time>), which retention deletes; leave the name out to get one, or choose another`;
  return undefined;
}

/** A snapshot name as typed, checked against PVE's rule. */
export const snapshotName = () =>
  z.string().check((ctx) => {
    const problem = snapshotNameProblem(ctx.value);
    if (problem) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value });
  });

/** "Its snapshots: `a`, `b`." or "It has no snapshots.", for refusals naming an unknown one. */
export function existingSnapshots(list: SnapshotList): string {
  if (list.snapshots.length === 0) return 'It has no snapshots.';
  return `Its snapshots: ${list.snapshots.map((s) => `\`${s.name}\``).join(', ')}.`;
}
