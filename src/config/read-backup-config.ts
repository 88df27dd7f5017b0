// BACKUP_MAX_AGE_DAYS: how old a guest's newest backup may be before the digest and
// `/pve status <guest>` flag it (a guest without any backup is always flagged). Whole days, 1 to
// 365; 7 by default, a weekly backup's worth.
import { z } from 'zod';
import type { Environment, Problem } from './environment.js';

export const DEFAULT_BACKUP_MAX_AGE_DAYS = 7;

export const backupMaxAgeDaysSchema = z.number().int().min(1).max(365);

const fromText = z.string().regex(/^\d+$/).transform(Number).pipe(backupMaxAgeDaysSchema);

export function readBackupMaxAgeDays(env: Environment, problem: Problem): number {
  if (env.BACKUP_MAX_AGE_DAYS === undefined) return DEFAULT_BACKUP_MAX_AGE_DAYS;
  const parsed = fromText.safeParse(env.BACKUP_MAX_AGE_DAYS.trim());
  if (parsed.success) return parsed.data;
  problem(
    'BACKUP_MAX_AGE_DAYS',
    `must be a whole number of days from 1 to 365, e.g. 7 (got '${env.BACKUP_MAX_AGE_DAYS}')`,
  );
  return DEFAULT_BACKUP_MAX_AGE_DAYS;
}
