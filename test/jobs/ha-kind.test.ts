// `/pve ha`: the HA stack at a glance, and `ha add` / `ha remove` through the planner and jobs.
import { afterEach, describe, expect, it } from 'vitest';
import { type JobHarness, startJobHarness, THREAD } from './helpers/job-harness.js';

let harness: JobHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

async function run(h: JobHarness, kind: string, payload: unknown) {
  const { jobId } = await h.queue.enqueue({ kind, payload, thread: THREAD, requestedBy: 'alice' });
  return h.result(jobId);
}

describe('/pve ha', () => {
  it('shows the CRM master, each LRM and every HA resource with its state and node', async () => {
    const h = await startJobHarness();
    harness = h;
    await h.worker();
    const result = await run(h, 'ha', {});
    expect(result.ok).toBe(true);
    expect(result.summary).toMatch(/^HA: master node0\d, 1 resource \(1 started\)$/);
    expect(result.text).toMatch(/^CRM master: node0\d \(active\)$/m);
    expect(result.text).toContain('LRM node02: active');
    expect(result.text).toContain('LRM node01: idle');
    expect(result.text).toContain('LRM node03: idle');
    expect(result.text).toContain('web01 (qemu/101) vm:101: started on node02');
    expect(result.text).toContain('Nodes in maintenance: none');
  });
});
