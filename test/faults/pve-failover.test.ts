// Reliability: the PVE API of the node in use dropping mid-job fails over to the next host.
//
// The worker's client talks to the first PVE_HOSTS entry (node01) until it stops answering. Here
// node01's pveproxy goes down (the simulator's apiDown fault: its address refuses connections,
// the node stays in the cluster and quorate) in the middle of a migration, at an exact request.
// The figure: the job still ends with its result, from node02, the next host, and PVE ran one
// migration. TestVM first moves to node02 so that its migration task does not run on node01
// (reading a node's tasks goes through that node's own pveproxy, in PVE as in the simulator).
import { afterEach, describe, expect, it } from 'vitest';
import type { RecordedRequest } from '../../src/sim/types.js';
import { guestOf, type JobHarness, startJobHarness, THREAD } from '../jobs/helpers/job-harness.js';
import { watchSim } from './helpers/sim-watch.js';

let harness: JobHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

async function migrate(h: JobHarness, target: string) {
  const { jobId } = await h.queue.enqueue({
    kind: 'migrate',
    payload: { guest: guestOf(h.sim, 100), target },
    thread: THREAD,
    requestedBy: 'alice',
  });
  return { jobId, result: await h.result(jobId) };
}

/** Takes node01's API down the first time the simulator answers a request matching. */
function apiDownAt(h: JobHarness, match: (request: RecordedRequest) => boolean): { index: () => number } {
  let at = -1;
  const unwatch = watchSim(h.sim, (event) => {
    if (event.type !== 'request' || !match(event.request)) return;
    unwatch();
    at = h.sim.requests.length;
    void h.sim.faults.apiDown('node01');
  });
  return { index: () => at };
}

const qmigrates = (h: JobHarness) =>
  h.sim.cluster.tasks.all().filter((t) => t.record.type === 'qmigrate' && t.record.id === '100');

describe('the PVE API of the node in use going down mid-job', () => {
  it('while the worker follows the migration task: it polls on through node02 to the result', async () => {
    const h = await startJobHarness({ speed: 20 });
    harness = h;
    await h.worker();
    expect((await migrate(h, 'node02')).result.ok).toBe(true);
    expect(h.sim.requests.every((r) => r.node === 'node01')).toBe(true); // the node in use

    const fault = apiDownAt(
      h,
      (r) => r.method === 'GET' && r.path.includes('qmigrate') && r.path.endsWith('/status'),
    );
    const { result } = await migrate(h, 'node03');

    expect(fault.index()).toBeGreaterThan(0);
    expect(h.sim.faults.isApiDown('node01')).toBe(true);
    expect(result).toMatchObject({
      ok: true,
      summary: 'TestVM (qemu/100) now runs on node03 (migrated live)',
    });
    const after = h.sim.requests.slice(fault.index());
    expect(after.length).toBeGreaterThan(0);
    expect(new Set(after.map((r) => r.node))).toEqual(new Set(['node02']));
    expect(after.some((r) => r.path.includes('qmigrate') && r.path.endsWith('/status'))).toBe(true);
    expect(qmigrates(h)).toHaveLength(2); // node01 → node02, then this one: started once
    expect(result.upid).toBe(qmigrates(h)[1]?.record.upid);
    expect(h.sim.cluster.guest(100)?.node).toBe('node03');
    console.log(
      `PVE failover mid-task: ${after.length} requests after node01's API went down, all answered by node02; result ok`,
    );
  });

  it('just before the POST: the POST goes to node02 (nothing was sent to node01), once', async () => {
    const h = await startJobHarness({ speed: 20 });
    harness = h;
    await h.worker();
    expect((await migrate(h, 'node02')).result.ok).toBe(true);

    // The last read before the POST is PVE's own precondition check.
    const fault = apiDownAt(h, (r) => r.method === 'GET' && r.path === '/nodes/node02/qemu/100/migrate');
    const { result } = await migrate(h, 'node03');

    expect(result.ok).toBe(true);
    const posts = h.sim.requests.filter(
      (r) => r.method === 'POST' && r.path === '/nodes/node02/qemu/100/migrate',
    );
    expect(posts.map((r) => r.node)).toEqual(['node02']);
    expect(new Set(h.sim.requests.slice(fault.index()).map((r) => r.node))).toEqual(new Set(['node02']));
    expect(qmigrates(h)).toHaveLength(2);
    expect(h.sim.cluster.guest(100)?.node).toBe('node03');
  });
});
