// Work approved now that runs later (JobData.schedule): the job waits in the queue until its
// start and not a moment before, its thread is reminded first, a worker restart in between does
// not make it run twice, a cluster that lost quorum by then stops it with the reason, a start
// missed while no worker ran is reported and not run, and Cancel removes it with its reminder.
import { afterEach, describe, expect, it } from 'vitest';
import type { ResultEvent } from '../../src/jobs/job-events.js';
import { reminderJobId } from '../../src/jobs/job-queue.js';
import type { UpgradePlan } from '../../src/jobs/upgrade/upgrade-plan.js';
import { type JobHarness, startJobHarness, THREAD } from './helpers/job-harness.js';

const TESTVM = { vmid: 100, type: 'qemu' as const, node: 'node01', name: 'TestVM' };
const REQUESTER = { id: 'console:alice', name: 'alice', groups: [] };

let harness: JobHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

function reboots(h: JobHarness): number {
  return h.sim.requests.filter(
    (r) => r.method === 'POST' && r.path === '/nodes/node01/qemu/100/status/reboot',
  ).length;
}

describe('scheduled jobs', () => {
  it('a reboot scheduled ahead waits, is reminded, and runs at its start, once, across a worker restart', async () => {
    const h = await startJobHarness();
    harness = h;
    const first = await h.worker();
    const now = Date.now();
    // Seconds, not minutes, ahead: the test waits for the start as an event, never for a fixed time.
    const schedule = { startAt: now + 3_000, endsAt: now + 120_000, remindAt: now + 500, startText: 'soon' };
    const { jobId } = await h.queue.enqueue({
      kind: 'reboot',
      payload: { guest: TESTVM },
      thread: THREAD,
      requestedBy: 'alice',
      schedule,
    });
    // The worker is replaced before the start; the job is kept in Redis and runs once.
    await first.close();
    await h.worker();

    const reminder = await h.result(reminderJobId(jobId));
    expect(reminder.summary).toMatch(/^⏰ Reminder: reboot starts in (less than a minute|\d+ min) \(soon\)/);
    expect(reminder.text).toContain(`/pve cancel ${jobId}`);
    const result = (await h.result(jobId)) as ResultEvent;
    expect(result.ok).toBe(true);
    // Not before its start (whenever the machine got to it), and only once.
    const info = await h.queue.get(jobId);
    expect(info?.startedAt).toBeGreaterThanOrEqual(schedule.startAt);
    expect(reboots(h)).toBe(1);
    expect(h.events.filter((e) => e.type === 'result' && e.jobId === jobId)).toHaveLength(1);
  });

  it('a scheduled upgrade whose cluster lost quorum before its start does not run, and says why', async () => {
    const h = await startJobHarness();
    harness = h;
    await h.worker();
    const { jobId: planId } = await h.queue.enqueue({
      kind: 'upgrade-plan',
      payload: { nodes: ['node03'], reboot: 'auto', dryRun: false, requester: REQUESTER },
      thread: THREAD,
      requestedBy: 'alice',
    });
    const planned = await h.result(planId);
    const payload = planned.proposal!.payload as { plan: UpgradePlan };

    const before = h.sim.requests.length;
    await h.sim.faults.nodeDown('node02');
    await h.sim.faults.nodeDown('node03');
    const now = Date.now();
    const { jobId } = await h.queue.enqueue({
      kind: 'upgrade',
      payload,
      thread: THREAD,
      requestedBy: 'alice',
      schedule: { startAt: now + 1_000, endsAt: now + 120_000, window: 'night' },
    });
    const result = await h.result(jobId);
    expect(result.ok).toBe(false);
    expect(result.error).toContain(
      'not started: the cluster has no quorum (1 of 3 nodes online) at its start time',
    );
    // Nothing was touched: no package refresh, no reboot.
    expect(h.sim.requests.slice(before).filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it('a start missed while no worker ran is reported, not run late', async () => {
    const h = await startJobHarness();
    harness = h;
    const now = Date.now();
    const { jobId } = await h.queue.enqueue({
      kind: 'reboot',
      payload: { guest: TESTVM },
      thread: THREAD,
      requestedBy: 'alice',
      schedule: { startAt: now - 120_000, endsAt: now - 60_000, window: 'night' },
    });
    await h.worker();
    const result = await h.result(jobId);
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(
      /its window night \(.* UTC until .* UTC\) passed while no worker could start it; nothing ran/,
    );
    expect(reboots(h)).toBe(0);
  });

  it('Cancel before the start removes the job and its reminder', async () => {
    const h = await startJobHarness();
    harness = h;
    const now = Date.now();
    const { jobId } = await h.queue.enqueue({
      kind: 'reboot',
      payload: { guest: TESTVM },
      thread: THREAD,
      requestedBy: 'alice',
      schedule: { startAt: now + 3_600_000, endsAt: now + 5_400_000, remindAt: now + 2_700_000 },
    });
    expect(await h.queue.queue.getJob(reminderJobId(jobId))).toBeDefined();
    expect(await h.queue.cancel(jobId, 'alice')).toEqual({ status: 'cancelled' });
    expect(await h.queue.get(jobId)).toBeUndefined();
    expect(await h.queue.queue.getJob(reminderJobId(jobId))).toBeUndefined();
    const cancelled = await h.result(jobId);
    expect(cancelled.ok).toBe(false);
  });
});
