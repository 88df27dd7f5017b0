// A job's result is audited in the name of the person who asked for it (read from the job), not
// as "worker"; only the worker's own jobs (the scheduled digest, the cluster watch) have no requester.
import { afterEach, describe, expect, it } from 'vitest';
import { bob, CHANNEL_THREAD, type CoreHarness, startCoreHarness } from './helpers/core-harness.js';

let harness: CoreHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

describe('the audit of a job result', () => {
  it('names the requester of a read, and the worker for a job nobody asked for', async () => {
    const h = await startCoreHarness({ worker: true });
    harness = h;
    await h.say('status', { user: bob });
    const [asked] = await h.queue.list();
    await h.message((m) => m.notify === true && m.card.footer?.startsWith(`job ${asked!.jobId}`) === true);
    // As the schedules enqueue them: no requester id.
    const { jobId: scheduled } = await h.queue.enqueue({
      kind: 'status',
      payload: {},
      thread: CHANNEL_THREAD,
      requestedBy: 'schedule',
    });
    await h.message((m) => m.notify === true && m.card.footer?.startsWith(`job ${scheduled}`) === true);
    const results = (await h.audit.latest(10)).filter((r) => r.action === 'job-result');
    expect(results.map((r) => [r.jobId, r.actor, r.command])).toEqual([
      [scheduled, 'worker', 'status'],
      [asked!.jobId, 'console:bob', 'status'],
    ]);
  });
});
