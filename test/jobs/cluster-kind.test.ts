// `/pve cluster` as `pvecm status` tells it, through losing nodes one by one, and the join info.
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

describe('/pve cluster', () => {
  it('shows votes and members, and what losing one more node would do, as nodes go down', async () => {
    const h = await startJobHarness({ speed: 50 });
    harness = h;
    await h.worker();
    const healthy = await run(h, 'cluster', { view: 'status' });
    expect(healthy.summary).toBe('MonCluster: quorate, 3 of 3 votes present (2 needed)');
    expect(healthy.text).toContain('node01 (id 1) · 127.20.1.101 · online · 1 vote');
    expect(healthy.text).toContain('It can lose one more node and stay quorate.');

    await h.sim.faults.nodeDown('node03');
    const two = await run(h, 'cluster', { view: 'status' });
    expect(two.summary).toBe('MonCluster: quorate, 2 of 3 votes present (2 needed)');
    expect(two.text).toContain('node03 (id 3) · 127.20.1.103 · OFFLINE · 1 vote');
    expect(two.text).toContain('Losing one more node would cost quorum');

    await h.sim.faults.nodeDown('node02');
    const one = await run(h, 'cluster', { view: 'status' });
    expect(one.summary).toBe('MonCluster: NOT quorate, 1 of 3 votes present (2 needed)');
    expect(one.text).toContain(
      'PVE refuses writes (starting guests, migrations, configuration changes) until 1 more vote comes back',
    );
    // And it does: a start on the last node is refused with PVE's own words.
    const start = await run(h, 'start', { guest: guestOf(h.sim, 201) });
    expect(start).toMatchObject({ ok: false, code: 'PVE_NO_QUORUM' });
    expect(start.error).toMatch(/quorum/i);
  });

  it('gives the addresses and certificate fingerprints a joining node needs, and no secret', async () => {
    const h = await startJobHarness();
    harness = h;
    await h.worker();
    const join = await run(h, 'cluster', { view: 'join-info' });
    expect(join.summary).toMatch(/^To join MonCluster: on the new node, `pvecm add <address of a member>`/);
    h.sim.nodes.forEach((node, i) => {
      expect(join.text).toContain(
        `${node} (id ${i + 1}): 127.20.1.10${i + 1} · fingerprint ${h.sim.fingerprints[i]}`,
      );
    });
    expect(JSON.stringify(join)).not.toContain(h.sim.tokenSecret);
  });
});
