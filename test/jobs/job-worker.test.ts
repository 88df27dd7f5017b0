// The job engine end to end, in one process: the real Redis, BullMQ, the outbox, and real HTTPS
// to the simulator.
import { afterEach, describe, expect, it } from 'vitest';
import { JobErrorCode } from '../../src/jobs/job-error.js';
import type { ProgressEvent } from '../../src/jobs/job-events.js';
import { jobIdForApproval } from '../../src/jobs/job-queue.js';
import { guestOf, type JobHarness, startJobHarness, THREAD } from './helpers/job-harness.js';

let harness: JobHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

function tasksOfType(h: JobHarness, type: string, vmid: number) {
  return h.sim.cluster.tasks
    .all()
    .filter((task) => task.record.type === type && task.record.id === String(vmid));
}

describe('job worker', () => {
  it('migrates TestVM to node03 through the queue and reports success with progress', async () => {
    const h = await startJobHarness({ speed: 20 });
    harness = h;
    await h.worker();
    const { jobId } = await h.queue.enqueue({
      kind: 'migrate',
      payload: { guest: guestOf(h.sim, 100), target: 'node03' },
      thread: THREAD,
      requestedBy: 'alice',
    });
    const result = await h.result(jobId);
    expect(result).toMatchObject({ ok: true, kind: 'migrate' });
    expect(result.summary).toBe('TestVM (qemu/100) now runs on node03 (migrated live)');
    expect(h.sim.cluster.guest(100)?.node).toBe('node03');
    const progress = h.events.filter((e): e is ProgressEvent => e.type === 'progress' && e.jobId === jobId);
    expect(progress.some((e) => e.percent !== undefined && e.percent > 0 && e.percent < 100)).toBe(true);
    // Progress carries the PVE task's own log: its newest lines, never invented ones (which
    // lines depends on when the worker polled, so no particular line is asserted).
    const taskLog = tasksOfType(h, 'qmigrate', 100)[0]!.lines;
    expect(progress.some((e) => e.logLines.length > 0)).toBe(true);
    expect(progress.flatMap((e) => e.logLines).every((line) => taskLog.includes(line))).toBe(true);
    expect(progress.every((e) => e.upid === undefined || e.upid.includes(':qmigrate:100:'))).toBe(true);
    expect(tasksOfType(h, 'qmigrate', 100)).toHaveLength(1);
  });

  it('fails the job with PVE’s own message when the task fails, without retrying', async () => {
    const h = await startJobHarness();
    harness = h;
    await h.worker();
    h.sim.faults.failNextTask('qmigrate', 'migration problems');
    const { jobId } = await h.queue.enqueue({
      kind: 'migrate',
      payload: { guest: guestOf(h.sim, 100), target: 'node02' },
      thread: THREAD,
      requestedBy: 'alice',
    });
    const result = await h.result(jobId);
    expect(result).toMatchObject({ ok: false, error: 'migration problems', code: 'PVE_TASK_FAILED' });
    expect(result.logTail?.join('\n')).toContain('migration problems');
    expect(tasksOfType(h, 'qmigrate', 100)).toHaveLength(1);
    expect(h.sim.cluster.guest(100)?.node).toBe('node01');
  });

  it('reports a business error verbatim and does not retry it', async () => {
    const h = await startJobHarness();
    harness = h;
    await h.worker();
    // Reboot of a stopped CT: PVE refuses before any task exists, and pve-container's vm_reboot
    // says "VM" (500 `VM 201 not running`).
    const { jobId } = await h.queue.enqueue({
      kind: 'reboot',
      payload: { guest: guestOf(h.sim, 201) },
      thread: THREAD,
      requestedBy: 'bob',
    });
    const result = await h.result(jobId);
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/VM 201 not running/);
    const job = await h.queue.queue.getJob(jobId);
    expect(job?.attemptsMade).toBeLessThanOrEqual(1);
  });

  it('refuses a second state-changing job on a busy guest at once, naming the job that holds it', async () => {
    const h = await startJobHarness({ speed: 5 });
    harness = h;
    await h.worker({ concurrency: 4 });
    const first = await h.queue.enqueue({
      kind: 'migrate',
      payload: { guest: guestOf(h.sim, 100), target: 'node03' },
      thread: THREAD,
      requestedBy: 'alice',
    });
    await h.event((e) => e.type === 'progress' && e.jobId === first.jobId && e.upid !== undefined);
    const second = await h.queue.enqueue({
      kind: 'migrate',
      payload: { guest: guestOf(h.sim, 100), target: 'node02' },
      thread: THREAD,
      requestedBy: 'bob',
    });
    const refused = await h.result(second.jobId);
    expect(refused).toMatchObject({ ok: false, code: JobErrorCode.Busy });
    expect(refused.error).toContain(
      `TestVM (qemu/100) is busy: job ${first.jobId} (migrate, asked by alice)`,
    );
    expect((await h.result(first.jobId)).ok).toBe(true);
    expect(tasksOfType(h, 'qmigrate', 100)).toHaveLength(1);
    // The lock went with the first job: the guest takes a new job again.
    const third = await h.queue.enqueue({
      kind: 'start',
      payload: { guest: { ...guestOf(h.sim, 100) } },
      thread: THREAD,
      requestedBy: 'bob',
    });
    expect((await h.result(third.jobId)).code).not.toBe(JobErrorCode.Busy);
  });

  it('enqueues one job for one approval, however often it is delivered', async () => {
    const h = await startJobHarness();
    harness = h;
    const jobId = jobIdForApproval('apr:42');
    const request = {
      kind: 'status',
      payload: {},
      thread: THREAD,
      requestedBy: 'carol',
      jobId,
    };
    const results = await Promise.all([
      h.queue.enqueue(request),
      h.queue.enqueue(request),
      h.queue.enqueue(request),
    ]);
    expect(results.map((r) => r.jobId)).toEqual([jobId, jobId, jobId]);
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(await h.queue.queue.getJobCountByTypes('waiting')).toBe(1);
  });

  it('refuses an invalid payload before queueing, saying what is wrong', async () => {
    const h = await startJobHarness();
    harness = h;
    await expect(
      h.queue.enqueue({ kind: 'migrate', payload: { guest: { vmid: 5 } }, thread: THREAD, requestedBy: 'x' }),
    ).rejects.toThrow(/invalid migrate job: guest\.vmid: .*100/);
    await expect(
      h.queue.enqueue({ kind: 'teleport', payload: {}, thread: THREAD, requestedBy: 'x' }),
    ).rejects.toThrow("no job kind 'teleport'");
  });

  it('cancels a running migration: the PVE task is stopped and the result names who cancelled', async () => {
    const h = await startJobHarness({ speed: 2 });
    harness = h;
    await h.worker();
    const { jobId } = await h.queue.enqueue({
      kind: 'migrate',
      payload: { guest: guestOf(h.sim, 100), target: 'node03' },
      thread: THREAD,
      requestedBy: 'alice',
    });
    const running = (await h.event(
      (e) => e.type === 'progress' && e.jobId === jobId && e.upid !== undefined,
    )) as ProgressEvent;
    expect(await h.queue.cancel(jobId, 'dave')).toEqual({ status: 'cancelling' });
    const result = await h.result(jobId);
    expect(result).toMatchObject({ ok: false, code: JobErrorCode.Cancelled });
    expect(result.error).toContain('cancelled by dave');
    expect(result.error).toContain('received interrupt');
    expect(h.sim.cluster.task(running.upid!)?.record.exitstatus).toBe('received interrupt');
    expect(h.sim.cluster.guest(100)?.node).toBe('node01');
  });

  it('cancels a job that has not started without running it', async () => {
    const h = await startJobHarness();
    harness = h;
    const { jobId } = await h.queue.enqueue({
      kind: 'stop',
      payload: { guest: guestOf(h.sim, 100) },
      thread: THREAD,
      requestedBy: 'alice',
    });
    expect(await h.queue.cancel(jobId, 'erin')).toEqual({ status: 'cancelled' });
    expect((await h.result(jobId)).summary).toBe('stop cancelled by erin before it started');
    await h.worker();
    expect(h.sim.cluster.guest(100)?.running).toBe(true);
  });

  it('retries transient failures (every PVE API unreachable) and succeeds once PVE is back', async () => {
    const h = await startJobHarness();
    harness = h;
    for (const node of h.sim.nodes) await h.sim.faults.apiDown(node);
    await h.worker();
    const { jobId } = await h.queue.enqueue({
      kind: 'shutdown',
      payload: { guest: guestOf(h.sim, 100) },
      thread: THREAD,
      requestedBy: 'alice',
    });
    await h.event((e) => e.type === 'progress' && e.jobId === jobId && e.phase.startsWith('retrying after'));
    for (const node of h.sim.nodes) await h.sim.faults.apiUp(node);
    const result = await h.result(jobId);
    expect(result).toMatchObject({ ok: true, summary: 'TestVM (qemu/100) shut down on node01' });
    expect(h.sim.cluster.guest(100)?.running).toBe(false);
  });

  it('clones the template with a fresh id and reports the new guest', async () => {
    const h = await startJobHarness();
    harness = h;
    await h.worker();
    const { jobId } = await h.queue.enqueue({
      kind: 'clone',
      payload: { source: guestOf(h.sim, 9000), name: 'web02' },
      thread: THREAD,
      requestedBy: 'alice',
    });
    const result = await h.result(jobId);
    expect(result.ok).toBe(true);
    const newid = result.details?.newid as number;
    expect(result.summary).toBe(
      `web02 (qemu/${newid}) created on node01 as a full clone of debian12-tmpl (qemu/9000)`,
    );
    expect(h.sim.cluster.guest(newid)).toMatchObject({ name: 'web02', node: 'node01' });
  });

  it('reads the cluster status with two PVE calls', async () => {
    const h = await startJobHarness();
    harness = h;
    await h.worker();
    const before = h.sim.requests.length;
    const { jobId } = await h.queue.enqueue({
      kind: 'status',
      payload: {},
      thread: THREAD,
      requestedBy: 'alice',
    });
    const result = await h.result(jobId);
    expect(result.summary).toBe('MonCluster: quorate, 3/3 nodes online, 4/6 guests running');
    expect(h.sim.requests.length - before).toBe(2);
  });
});

describe('a job approved before the cluster changed', () => {
  it('refuses to migrate a guest that moved since the request', async () => {
    const h = await startJobHarness();
    harness = h;
    await h.worker();
    const { jobId } = await h.queue.enqueue({
      kind: 'migrate',
      payload: { guest: { ...guestOf(h.sim, 100), node: 'node02' }, target: 'node03' },
      thread: THREAD,
      requestedBy: 'alice',
    });
    const result = await h.result(jobId);
    expect(result).toMatchObject({ ok: false, code: JobErrorCode.Stale });
    expect(result.error).toBe('TestVM (qemu/100) moved from node02 to node01 since the request; ask again');
    expect(h.sim.cluster.tasks.all().filter((t) => t.record.type === 'qmigrate')).toHaveLength(0);
  });
});

describe('containers, as every guest command treats them', () => {
  it('migrates a running container in restart mode, stops, starts, shows and clones containers', async () => {
    const h = await startJobHarness({ speed: 50 });
    harness = h;
    await h.worker();
    const ct = guestOf(h.sim, 200);
    expect(ct).toMatchObject({ type: 'lxc', node: 'node03' });
    expect(h.sim.cluster.guest(200)?.running).toBe(true);
    const run = async (kind: string, payload: unknown) => {
      const { jobId } = await h.queue.enqueue({ kind, payload, thread: THREAD, requestedBy: 'alice' });
      return h.result(jobId);
    };
    const migrated = await run('migrate', { guest: ct, target: 'node01' });
    expect(migrated).toMatchObject({
      ok: true,
      summary: 'ct-dns01 (lxc/200) now runs on node01 (migrated restart mode)',
    });
    expect(h.sim.cluster.guest(200)).toMatchObject({ node: 'node01', running: true });
    expect(tasksOfType(h, 'vzmigrate', 200)).toHaveLength(1);

    const moved = guestOf(h.sim, 200);
    expect((await run('stop', { guest: moved })).ok).toBe(true);
    expect(h.sim.cluster.guest(200)?.running).toBe(false);
    expect((await run('start', { guest: moved })).ok).toBe(true);
    expect(h.sim.cluster.guest(200)?.running).toBe(true);
    const status = await run('status', { vmid: 200 });
    expect(status.summary).toBe('ct-dns01 (lxc/200): running on node01');
    const cloned = await run('clone', { source: guestOf(h.sim, 201), name: 'ct-proxy02' });
    expect(cloned.ok).toBe(true);
    expect(h.sim.cluster.guests().find((g) => g.name === 'ct-proxy02')).toMatchObject({ type: 'lxc' });
  });
});
