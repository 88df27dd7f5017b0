// `/pve tasks`: the cluster's recent PVE tasks from /cluster/tasks, newest first, narrowed to a
// node, a guest or the failures, against the simulator through the real queue and worker.
import { afterEach, describe, expect, it } from 'vitest';
import { guestOf, type JobHarness, startJobHarness, THREAD } from './helpers/job-harness.js';

let harness: JobHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

async function run(h: JobHarness, kind: string, payload: unknown) {
  const { jobId } = await h.queue.enqueue({ kind, payload, thread: THREAD, requestedBy: 'alice' });
  return h.result(jobId);
}

describe('/pve tasks', () => {
  it('lists what ran, where, by whom and how it ended; narrows to a node, a guest or the failures', async () => {
    const h = await startJobHarness({ speed: 50 });
    harness = h;
    await h.worker();
    expect(await run(h, 'start', { guest: guestOf(h.sim, 201) })).toMatchObject({ ok: true });
    h.sim.faults.failNextTask('qmstart', 'start failed: QEMU exited with code 1');
    expect(await run(h, 'start', { guest: guestOf(h.sim, 103) })).toMatchObject({ ok: false });

    const all = await run(h, 'tasks', {});
    expect(all.ok).toBe(true);
    // The failed start, and the default cluster's nightly backup that failed on node02 last night.
    expect(all.summary).toMatch(/^\d+ recent tasks on the cluster, 2 failed/);
    // Newest first (by start time, to the second: PVE's list is ordered by node, not by time).
    const starts = all.text!.split('\n').map((line) => line.slice(0, 12));
    expect(starts).toEqual([...starts].sort().reverse());
    expect(all.text).toMatch(
      / node03 start of 103 · .+ · start failed: QEMU exited with code 1 · \d+ s(\n|$)/,
    );
    expect(all.text).toMatch(/ node01 start of 201 · .+ · OK · \d+ s(\n|$)/);

    const failed = await run(h, 'tasks', { failed: true });
    expect(failed.summary).toBe('2 recent failed tasks on the cluster');
    expect(failed.text!.split('\n')).toHaveLength(2);
    expect(failed.text!.split('\n')[0]).toContain('start of 103');
    expect(failed.text).toMatch(/ node02 .+ · root@pam · job errors · /);

    const onNode01 = await run(h, 'tasks', { node: 'node01' });
    expect(onNode01.text).toContain('start of 201');
    expect(onNode01.text).not.toContain('start of 103');

    const ofGuest = await run(h, 'tasks', { vmid: 103, limit: 1 });
    expect(ofGuest.text!.split('\n')).toHaveLength(1);
    expect(ofGuest.text).toContain('start of 103');

    const none = await run(h, 'tasks', { vmid: 201, failed: true });
    expect(none.summary).toBe('No recent failed tasks on guest 201');
  });
});
