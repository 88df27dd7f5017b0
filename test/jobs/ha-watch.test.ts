// The HA watch: a node fails, the HA stack fences it and recovers its HA guests elsewhere, and the
// watch announces them; a look where nothing was recovered posts nothing.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderJobEvent } from '../../src/core/render-job-event.js';
import {
  HA_WATCH_PATTERN,
  HA_WATCH_SCHEDULER_ID,
  scheduleHaWatch,
  unscheduleHaWatch,
} from '../../src/jobs/ha-watch-schedule.js';
import { type JobHarness, startJobHarness, THREAD } from './helpers/job-harness.js';

let harness: JobHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

async function look(h: JobHarness) {
  const { jobId } = await h.queue.enqueue({
    kind: 'ha-watch',
    payload: {},
    thread: THREAD,
    requestedBy: 'the HA watch',
  });
  return h.result(jobId);
}

describe('the HA watch', () => {
  it('posts nothing while nothing happens, and announces web01 recovered when node02 fails', async () => {
    const h = await startJobHarness({ speed: 100 });
    harness = h;
    await h.worker();
    const first = await look(h);
    expect(first).toMatchObject({ ok: true, details: { silent: true } });
    expect(renderJobEvent(THREAD, first)).toEqual([]);
    const quiet = await look(h);
    expect(quiet).toMatchObject({
      ok: true,
      summary: 'HA watch: nothing recovered',
      details: { silent: true },
    });
    expect(renderJobEvent(THREAD, quiet)).toEqual([]);

    await h.sim.faults.nodeDown('node02');
    // The CRM fences node02 (its watchdog delay, scaled by speed), then recovers web01 elsewhere.
    await vi.waitFor(
      () => {
        const service = h.sim.cluster.ha.services.get('vm:101');
        expect(service?.node).not.toBe('node02');
        expect(service?.state).toBe('started');
        // Until the guest runs, PVE shows the service as `starting`.
        expect(h.sim.cluster.guest(101)?.running).toBe(true);
      },
      { timeout: 30_000, interval: 50 },
    );
    const node = h.sim.cluster.ha.services.get('vm:101')!.node;
    const announced = await look(h);
    expect(announced).toMatchObject({
      ok: true,
      summary: `HA recovered web01 (qemu/101) from node02 onto ${node}: node02 is offline (now started)`,
    });
    const messages = renderJobEvent(THREAD, announced);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ notify: true, card: { title: announced.summary } });

    // Said once: the next look has nothing new.
    const after = await look(h);
    expect(after).toMatchObject({ ok: true, details: { silent: true } });
  });

  it('is scheduled every 30 s to the digest channels, left alone by a process that knows none', async () => {
    const h = await startJobHarness();
    harness = h;
    const next = await scheduleHaWatch(h.queue, [{ platform: 'slack', channel: 'C-DIGEST' }]);
    expect(next).toBeGreaterThan(Date.now() - 1_000);
    const scheduler = await h.queue.queue.getJobScheduler(HA_WATCH_SCHEDULER_ID);
    expect(scheduler).toMatchObject({ pattern: HA_WATCH_PATTERN, tz: 'UTC' });
    expect(await scheduleHaWatch(h.queue, [])).toBeUndefined();
    expect(await h.queue.queue.getJobScheduler(HA_WATCH_SCHEDULER_ID)).toBeDefined();
    await unscheduleHaWatch(h.queue);
    expect(await h.queue.queue.getJobScheduler(HA_WATCH_SCHEDULER_ID)).toBeUndefined();
  });
});
