// A job that could not start within the start deadline of its request is not run late but
// reported; only its first start is held to it. The real worker, Redis and simulator; a request
// "made two minutes ago" is one whose stored requestedAt says so, written while no worker runs.
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import type { JobData } from '../../src/jobs/job-data.js';
import { JobErrorCode } from '../../src/jobs/job-error.js';
import type { JobWorker } from '../../src/jobs/job-worker.js';
import { guestOf, type JobHarness, startJobHarness, THREAD } from './helpers/job-harness.js';

let harness: JobHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

const TWO_MINUTES_MS = 2 * 60_000;

/** Moves the stored request time of a job back (no worker may be running it). */
async function requestedLongAgo(h: JobHarness, jobId: string, ms: number): Promise<number> {
  const job = (await h.queue.queue.getJob(jobId))!;
  const requestedAt = Date.now() - ms;
  await job.updateData({ ...(job.data as JobData), requestedAt });
  return requestedAt;
}

function qmTasks(h: JobHarness, type: string, vmid: number) {
  return h.sim.cluster.tasks.all().filter((t) => t.record.type === type && t.record.id === String(vmid));
}

describe('the start deadline', () => {
  it('does not run a stop asked for two minutes ago: it reports when it was asked and that nothing ran', async () => {
    const h = await startJobHarness();
    harness = h;
    // Queued while no worker runs (the workers were away, or Redis was).
    const { jobId } = await h.queue.enqueue({
      kind: 'stop',
      payload: { guest: guestOf(h.sim, 100) },
      thread: THREAD,
      requestedBy: 'alice',
    });
    const requestedAt = await requestedLongAgo(h, jobId, TWO_MINUTES_MS);
    await h.worker();
    const result = await h.result(jobId);
    const at = new Date(requestedAt).toISOString().slice(0, 19).replace('T', ' ');
    expect(result).toMatchObject({
      ok: false,
      code: JobErrorCode.NotStarted,
      summary: `stop not started: requested at ${at} UTC, could not start within 60 s; nothing ran`,
    });
    expect(qmTasks(h, 'qmstop', 100)).toEqual([]);
    expect(h.sim.cluster.guest(100)?.running).toBe(true);
    // Final: BullMQ does not retry it.
    expect((await h.queue.queue.getJob(jobId))?.opts.attempts).toBeGreaterThan(1);
    expect(h.events.filter((e) => e.jobId === jobId && e.type === 'result')).toHaveLength(1);
  });

  it('lets a job that started go on after the deadline (resumed by another worker after a stop)', async () => {
    const h = await startJobHarness({ speed: 5 });
    harness = h;
    const first: JobWorker = await h.worker();
    const { jobId } = await h.queue.enqueue({
      kind: 'migrate',
      payload: { guest: guestOf(h.sim, 100), target: 'node03' },
      thread: THREAD,
      requestedBy: 'alice',
    });
    // Under way: the migration task runs.
    await h.event((e) => e.type === 'progress' && e.jobId === jobId && e.upid !== undefined);
    // This worker stops (its slice saves the job's place); the next one finds an old request.
    await first.close();
    await requestedLongAgo(h, jobId, TWO_MINUTES_MS);
    await h.worker();
    const result = await h.result(jobId);
    expect(result).toMatchObject({ ok: true, kind: 'migrate' });
    expect(qmTasks(h, 'qmigrate', 100)).toHaveLength(1);
    expect(h.sim.cluster.guest(100)?.node).toBe('node03');
  });

  it('exempts scheduled runs (the digest, the cluster watch): they are nobody’s late request', async () => {
    const h = await startJobHarness();
    harness = h;
    // Set up two minutes "ago": its runs carry that time as their request.
    await h.queue.schedule(
      'test-every-second',
      { pattern: '* * * * * *', tz: 'UTC' },
      { kind: 'status', payload: {}, threads: [THREAD], requestedBy: 'scheduler' },
    );
    const scheduler = await h.queue.queue.getJobScheduler('test-every-second');
    expect(scheduler).toBeDefined();
    const [next] = await h.queue.queue.getDelayed();
    await requestedLongAgo(h, next!.id as string, TWO_MINUTES_MS);
    await h.worker();
    const result = await h.event((e) => e.type === 'result' && e.kind === 'status');
    expect(result).toMatchObject({ ok: true });
    await h.queue.unschedule('test-every-second');
  });

  it('is read from JOB_START_DEADLINE_SECONDS: 60 s by default, 5 to 3600 s', () => {
    const env = {};
    expect(loadConfig({ env }).worker.startDeadlineMs).toBe(60_000);
    expect(loadConfig({ env: { ...env, JOB_START_DEADLINE_SECONDS: '120' } }).worker.startDeadlineMs).toBe(
      120_000,
    );
    for (const wrong of ['0', '4', '3601', '1.5', 'soon']) {
      let error: unknown;
      try {
        loadConfig({ env: { ...env, JOB_START_DEADLINE_SECONDS: wrong } });
      } catch (caught) {
        error = caught;
      }
      expect(error, wrong).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems.join('\n')).toContain('JOB_START_DEADLINE_SECONDS');
    }
  });
});
