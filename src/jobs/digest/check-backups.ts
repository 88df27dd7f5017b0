// Backups: guests whose newest backup is older than BACKUP_MAX_AGE_DAYS, or that have none on any
// backup storage; vzdump runs that failed since the last digest, with the guests PVE named and
// its words. Templates are left out (they do not change); so are guests on storages that could not
// be read, which are said to be unread instead of flagged.
import type { DigestContext, DigestFinding } from './digest-finding.js';
import { code, duration, guestLabel, listNames, plural, shorten, when } from './digest-format.js';
import type { DigestFailedBackup } from './digest-input.js';

/** Guests named one per line at most; beyond, one line counts them. */
const NAMED = 5;

export function checkBackups(ctx: DigestContext): DigestFinding[] {
  const backups = ctx.input.backups;
  if (!backups) return [];
  const findings: DigestFinding[] = [];
  const maxAgeDays = ctx.backupMaxAgeDays;
  const guests = ctx.input.guests.filter((g) => !g.template);
  if (backups.storages.length === 0) {
    if (guests.length > 0)
      findings.push({
        section: 'backups',
        severity: 'warning',
        text: `No storage takes backups (none has the content type backup): none of the ${plural(guests.length, 'guest')} is backed up`,
        problem: 'no backup storage',
      });
  } else {
    const newest = new Map(backups.newest.map((b) => [b.vmid, b]));
    const limit = ctx.now / 1000 - maxAgeDays * 86_400;
    const never = guests.filter((g) => !newest.has(g.vmid));
    const old = guests
      .filter((g) => (newest.get(g.vmid)?.ctime ?? Number.POSITIVE_INFINITY) < limit)
      .sort((a, b) => newest.get(a.vmid)!.ctime - newest.get(b.vmid)!.ctime);
    const problem = `${plural(never.length + old.length, 'guest')} without a backup in ${maxAgeDays} days`;
    if (never.length > 0)
      findings.push({
        section: 'backups',
        severity: 'warning',
        text: `${plural(never.length, 'guest has', 'guests have')} no backup: ${listNames(
          never.map((g) => guestLabel(g)),
          NAMED,
        )}`,
        problem,
      });
    for (const guest of old.slice(0, NAMED)) {
      const last = newest.get(guest.vmid)!;
      findings.push({
        section: 'backups',
        severity: 'warning',
        text: `${guestLabel(guest)}: last backup ${duration(ctx.now / 1000 - last.ctime)} ago (${when(last.ctime * 1000, ctx.now)}, ${last.storage}), more than ${maxAgeDays} days`,
        problem,
      });
    }
    if (old.length > NAMED)
      findings.push({
        section: 'backups',
        severity: 'warning',
        text: `… and ${plural(old.length - NAMED, 'more guest')} whose last backup is older than ${maxAgeDays} days`,
        problem,
      });
    for (const failure of backups.failures)
      findings.push({
        section: 'backups',
        severity: 'warning',
        text: `Backups on ${failure.storage} (${failure.node}) not read: ${code(shorten(failure.message))}`,
        problem: 'backup storage not read',
      });
  }
  const runs = backups.failedRuns.filter((run) => run.endtime * 1000 > ctx.since);
  for (const run of runs)
    findings.push({
      section: 'backups',
      severity: 'warning',
      text: describeRun(ctx, run),
      problem: plural(runs.length, 'failed backup run'),
    });
  return findings;
}

function describeRun(ctx: DigestContext, run: DigestFailedBackup): string {
  const who = run.user === 'root@pam' ? 'scheduled backup' : `backup by ${run.user ?? 'someone'}`;
  const of = run.id ? ` of ${guestLabel(ctx.guest(Number(run.id)), Number(run.id))}` : '';
  const head = `${when(run.endtime * 1000, ctx.now)} ${run.node}: ${who}${of}`;
  if (run.guests && run.guests.length > 0) {
    const failed = run.guests.map(
      (g) => `${guestLabel(ctx.guest(g.vmid), g.vmid)} ${code(shorten(g.error, 120))}`,
    );
    return `${head} ended ${code(run.status)}: ${listNames(failed, 3)}`;
  }
  return `${head} failed: ${code(shorten(run.status))}`;
}
