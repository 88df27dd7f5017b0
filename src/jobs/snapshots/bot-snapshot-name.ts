// The names of the snapshots the bot takes: `chatops-YYYYMMDD-HHMMSS` (UTC), optionally with a
// short reason after it (`chatops-20260105-090000-upgrade`). The prefix is how retention, the
// safety net and `/pve snapshots` tell the bot's snapshots from anyone else's, so a person may not
// give a snapshot a name of this form (the grammar refuses it): retention would delete it.

export const BOT_SNAPSHOT_PREFIX = 'chatops-';

/** The most of the bot's snapshots per guest retention may be told to keep (the policy's `snapshots.keep`). */
export const SNAPSHOT_KEEP_MAX = 100;

const BOT_SNAPSHOT = /^chatops-(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})(?:-[a-z0-9_-]+)?$/i;
const REASON = /^[a-z0-9][a-z0-9_-]{0,15}$/;

/**
 * The name for a snapshot the bot takes at `at` (ms): `chatops-20260105-090000`; with a reason,
 * `chatops-20260105-090000-upgrade` (a reason: lower-case letters, digits, '_', '-', up to 16).
 */
export function botSnapshotName(at: number, reason?: string): string {
  if (reason !== undefined && !REASON.test(reason))
    throw new Error(
      `'${reason}' cannot end a snapshot name: use up to 16 lower-case letters, digits, '_', '-'`,
    );
  const iso = new Date(at).toISOString(); // 2026-01-05T09:00:00.000Z
  const stamp = `${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}`;
  return `${BOT_SNAPSHOT_PREFIX}${stamp}${reason === undefined ? '' : `-${reason}`}`;
}

/** Whether the bot made (or would have made) a snapshot of this name. */
export function isBotSnapshot(name: string): boolean {
  return BOT_SNAPSHOT.test(name);
}

/** When a bot snapshot's name says it was taken (ms), or undefined for another name. */
export function botSnapshotTime(name: string): number | undefined {
  const match = BOT_SNAPSHOT.exec(name);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number) as number[];
  return Date.UTC(y!, mo! - 1, d!, h!, mi!, s!);
}
