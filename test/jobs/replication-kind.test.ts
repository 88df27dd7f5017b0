// Storage replication against the simulator: a job created for TestVM to node02, run now, listed
// with its last sync; a failing run reported with pvesr's error; refusals.
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../sim/helpers/eventually.js';
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

/** TestVM on local ZFS, which can replicate (the guides' TestVM lives on Ceph). */
async function zfsHarness(): Promise<JobHarness> {
  const h = await startJobHarness({ speed: 100 });
  harness = h;
  for (const disk of h.sim.cluster.guest(100)!.disks) disk.storage = 'local-zfs';
  await h.worker();
  return h;
}

describe('replication jobs', () => {
  it('creates a job for TestVM to node02, runs it now, and lists its last sync', async () => {
    const h = await zfsHarness();
    const created = await run(h, 'replication-create', { guest: guestOf(h.sim, 100), target: 'node02' });
    expect(created).toMatchObject({
      ok: true,
      summary:
        'Replication job 100-0 created: TestVM (qemu/100) node01 → node02, schedule */15; its first (full) sync starts now',
    });
    expect(h.sim.cluster.replication.get('100-0')).toMatchObject({ target: 'node02', schedule: '*/15' });

    // The first (full) sync starts at creation; wait for it to end. Then hold node01's scheduled
    // runs (at 100× speed a quarter-hour slot passes every 9 s, and a run it started would be
    // followed, rightly, without schedule_now): only the run we ask for may happen.
    const replication = h.sim.cluster.replication;
    await eventually(async () => !replication.get('100-0').running, 'the first sync of 100-0 to end');
    replication.stopScheduler('node01');
    // PVE's times are whole seconds, so a run in the creation's second would not show as newer.
    // As if the job had been created a minute ago:
    const job = replication.get('100-0');
    job.lastTry -= 60;
    job.lastSync -= 60;
    const ran = await run(h, 'replication', { action: 'run', id: '100-0', pollMs: 50 });
    expect(ran).toMatchObject({ ok: true });
    expect(ran.summary).toMatch(/^Replication 100-0 TestVM \(100\) node01 → node02 synced in \d+(\.\d)? s$/);
    expect(
      h.sim.requests.some(
        (r) => r.method === 'POST' && r.path === '/nodes/node01/replication/100-0/schedule_now',
      ),
    ).toBe(true);

    const list = await run(h, 'replication', { action: 'list' });
    expect(list.summary).toBe('2 replication jobs, none failing');
    const line = list.text?.split('\n').find((l) => l.startsWith('100-0'));
    expect(line).toMatch(
      /^100-0 · TestVM \(100\) node01 → node02 · schedule \*\/15 · last sync (just now|\d+ \w+ ago) \(took [\d.]+ s\) · OK$/,
    );
    expect(list.text).toContain('103-0 · files01 (103) node03 → node01 · schedule */15 · last sync');
    // One cluster-wide read, and the state only from the nodes where replicated guests live.
    const statusReads = h.sim.requests.filter(
      (r) => r.method === 'GET' && /^\/nodes\/[^/]+\/replication$/.test(r.path),
    );
    expect(new Set(statusReads.map((r) => r.path))).toEqual(
      new Set(['/nodes/node01/replication', '/nodes/node03/replication']),
    );
  });

  it("reports a failed run with pvesr's error and the fail count, and the list shows it", async () => {
    const h = await zfsHarness();
    h.sim.cluster.replication.failRuns('103-0', 'pool tank full');
    const ran = await run(h, 'replication', { action: 'run', id: '103-0', pollMs: 50 });
    expect(ran).toMatchObject({ ok: false });
    expect(ran.error).toContain(
      'Replication 103-0 files01 (103) node03 → node01 failed (1 failure): pool tank full',
    );
    const list = await run(h, 'replication', {});
    expect(list.summary).toBe('1 replication job, 1 failing');
    expect(list.text).toContain('FAILED 1×: pool tank full');
  });

  it('refuses a second job to the same target, and passes on what PVE refuses', async () => {
    const h = await zfsHarness();
    const duplicate = await run(h, 'replication-create', { guest: guestOf(h.sim, 103), target: 'node01' });
    expect(duplicate).toMatchObject({ ok: false });
    expect(duplicate.error).toBe(
      'files01 (qemu/103) already replicates to node01 (job 103-0, schedule */15); `replication run 103-0` runs it now.',
    );
    // web01 lives on Ceph: PVE says which volume cannot replicate.
    const ceph = await run(h, 'replication-create', { guest: guestOf(h.sim, 101), target: 'node03' });
    expect(ceph).toMatchObject({ ok: false });
    expect(ceph.error).toMatch(/missing replicate feature on volume 'ceph-vm:/);
    // A second target gets the next job number.
    const second = await run(h, 'replication-create', {
      guest: guestOf(h.sim, 103),
      target: 'node02',
      schedule: '*/30',
    });
    expect(second.summary).toMatch(
      /^Replication job 103-1 created: files01 \(qemu\/103\) node03 → node02, schedule \*\/30/,
    );
  });

  it('says which jobs exist when the id is unknown', async () => {
    const h = await zfsHarness();
    const ran = await run(h, 'replication', { action: 'run', id: '100-5' });
    expect(ran).toMatchObject({ ok: false, error: 'There is no replication job 100-5 (there are: 103-0).' });
  });
});
