// Replication jobs that failed (PVE's error text), or that fell behind their schedule: the next
// run overdue by more than a grace period, or the last success older than two intervals.
import type { DigestContext, DigestFinding } from './digest-finding.js';
import { code, duration, guestLabel, shorten } from './digest-format.js';
import type { DigestReplicationJob } from './digest-input.js';
import { scheduleIntervalSeconds } from './replication-schedule.js';

/** pvescheduler starts due jobs every minute, and one run may wait for another: some slack. */
const GRACE_SECONDS = 10 * 60;

export function checkReplication(ctx: DigestContext): DigestFinding[] {
  const { replication, readErrors } = ctx.input;
  if (!replication) {
    if (!readErrors.replication) return [];
    return [
      {
        section: 'replication',
        severity: 'warning',
        text: `Replication jobs not read: ${code(readErrors.replication.message)}`,
        problem: 'replication not read',
      },
    ];
  }
  const now = ctx.now / 1000;
  const findings: DigestFinding[] = [];
  for (const job of replication) {
    const state = job.state;
    if (job.disabled || !state) continue;
    const what = describeJob(ctx, job);
    const lastSync = state.lastSync ? state.lastSync : undefined;
    const lastSuccess = lastSync ? `last success ${duration(now - lastSync)} ago` : 'never succeeded';
    if (state.failCount > 0) {
      const times = state.failCount === 1 ? 'once' : `${state.failCount} times`;
      findings.push({
        section: 'replication',
        severity: 'warning',
        text: `${what}: failed ${times}, ${lastSuccess}${state.error ? `: ${code(shorten(state.error))}` : ''}`,
        problem: `replication ${job.id} failing`,
      });
      continue;
    }
    const overdue = !state.running && state.nextSync ? now - state.nextSync : 0;
    const interval = scheduleIntervalSeconds(job.schedule);
    const behind = lastSync !== undefined && interval !== undefined && now - lastSync > 2 * interval;
    if (overdue <= GRACE_SECONDS && !behind) continue;
    const parts = [lastSync ? `last sync ${duration(now - lastSync)} ago` : 'never synced'];
    if (overdue > GRACE_SECONDS) parts.push(`next run due ${duration(overdue)} ago`);
    findings.push({
      section: 'replication',
      severity: 'warning',
      text: `${what}: late — ${parts.join(', ')} (schedule ${code(job.schedule)}); is pvescheduler running on ${job.source ?? 'the source node'}?`,
      problem: `replication ${job.id} late`,
    });
  }
  return findings;
}

/** `103-0 files01 (103) node03 → node01` */
function describeJob(ctx: DigestContext, job: DigestReplicationJob): string {
  const guest = guestLabel(ctx.guest(job.guest), job.guest);
  return `${job.id} ${guest} ${job.source ? `${job.source} ` : ''}→ ${job.target}`;
}
