import { describe, expect, it } from 'vitest';
import { type TaskProgress, waitForTask } from '../../src/proxmox/wait-for-task.js';
import { fixedTransport } from './helpers/fixed-transport.js';
import { FAST_POLL, useSimulatedCluster } from './helpers/simulated-cluster.js';

const cluster = useSimulatedCluster();
const TestVM = { type: 'qemu', vmid: 100, node: 'node01' } as const;

describe('waitForTask', () => {
  it('reports new log lines and a percentage while a migration runs, and succeeds with OK', async () => {
    const client = cluster.client();
    const plan = await client.planMigration(TestVM, 'node03');
    expect(plan).toMatchObject({ online: true, withLocalDisks: false, haManaged: false });
    const upid = await client.startMigration(plan);
    const reports: TaskProgress[] = [];
    const result = await client.waitForTask(upid, {
      pollInterval: FAST_POLL,
      onProgress: (p) => void reports.push(p),
    });

    expect(result.exitstatus).toBe('OK');
    const lines = reports.flatMap((r) => r.newLines);
    expect(lines.at(-1)).toBe('TASK OK');
    expect(lines.some((l) => l.includes('transferred'))).toBe(true);
    expect(reports.some((r) => r.percent !== undefined && r.percent > 0)).toBe(true);
    // Lines are reported once each, in order.
    expect(new Set(lines).size).toBe(lines.length);
    expect(result.linesSeen).toBe(lines.length);
    expect((await client.findGuests('100'))[0]?.node).toBe('node03');
  });

  it('reads the log incrementally: each poll asks only for lines not seen yet', async () => {
    const client = cluster.client();
    const upid = await client.startMigration(
      await client.planMigration({ ...TestVM, node: 'node03' }, 'node01'),
    );
    await client.waitForTask(upid, { pollInterval: FAST_POLL });
    const starts = cluster.sim.requests
      .filter(
        (r) =>
          r.path.endsWith('/log') && (r.path.includes(upid) || r.path.includes(encodeURIComponent(upid))),
      )
      .map((r) => Number(r.rawParams.start));
    expect(starts[0]).toBe(0);
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    expect(starts.at(-1)).toBeGreaterThan(0);
  });

  it('resumes a stored UPID without repeating the lines already reported', async () => {
    const client = cluster.client();
    const upid = await client.start({ type: 'lxc', vmid: 201, node: 'node01' });
    const first = await client.waitForTask(upid, { pollInterval: FAST_POLL });
    const again: string[] = [];
    const resumed = await client.waitForTask(upid, {
      pollInterval: FAST_POLL,
      linesSeen: first.linesSeen - 1,
      onProgress: (p) => void again.push(...p.newLines),
    });
    expect(again).toEqual(['TASK OK']);
    expect(resumed.exitstatus).toBe('OK');
  });

  it('fails with PVE_TASK_FAILED, the exit status and the last log lines', async () => {
    const { sim } = cluster;
    const client = cluster.client();
    sim.faults.failNextTask('qmigrate', 'migration aborted: simulated network failure');
    const upid = await client.startMigration(await client.planMigration(TestVM, 'node02'));
    const error = await client.waitForTask(upid, { pollInterval: FAST_POLL }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'PveError', code: 'PVE_TASK_FAILED', upid });
    const { exitstatus, logTail } = error as { exitstatus: string; logTail: string[] };
    expect(exitstatus).toContain('simulated network failure');
    expect(logTail.at(-1)).toMatch(/^TASK ERROR: .*simulated network failure/);
    expect((error as Error).message).toContain('simulated network failure');
  });

  it('gives up after timeoutMs with PVE_TIMEOUT; stopTask then ends the task with received interrupt', async () => {
    const client = cluster.client();
    const db01 = (await client.findGuests('db01'))[0]!;
    const plan = await client.planMigration(db01, 'node03');
    expect(plan.withLocalDisks).toBe(true);
    const upid = await client.startMigration(plan);

    const timeout = await client
      .waitForTask(upid, { pollInterval: FAST_POLL, timeoutMs: 1 })
      .catch((e: unknown) => e);
    expect(timeout).toMatchObject({ code: 'PVE_TIMEOUT', upid });
    expect((await client.taskStatus(upid)).status).toBe('running');

    await client.stopTask(upid);
    const error = await client.waitForTask(upid, { pollInterval: FAST_POLL }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'PVE_TASK_FAILED', exitstatus: 'received interrupt' });
  });

  it('ends the wait at the first 401 (the token was revoked): a refused token is no blip to ride out', async () => {
    const { sim } = cluster;
    const client = cluster.client();
    const db01 = (await client.findGuests('db01'))[0]!;
    const upid = await client.startMigration(await client.planMigration(db01, 'node03'));
    sim.faults.rejectAuth(true);
    try {
      const before = sim.requests.length;
      const error = await client.waitForTask(upid, { pollInterval: FAST_POLL }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'PVE_AUTH_FAILED', statusCode: 401 });
      // One poll (status, maybe its log read beside it), not five in a row.
      expect(sim.requests.length - before).toBeLessThanOrEqual(2);
    } finally {
      sim.faults.rejectAuth(false);
    }
    await client.stopTask(upid);
    await client.waitForTask(upid, { pollInterval: FAST_POLL }).catch(() => undefined);
  });

  it('stops waiting when the signal aborts', async () => {
    const controller = new AbortController();
    controller.abort();
    const upid = 'UPID:node03:00000001:00000001:00000001:qmstop:103:root@pam:';
    const error = await cluster
      .client()
      .waitForTask(upid, { signal: controller.signal })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'PVE_ABORTED', upid });
  });
});

describe('waitForTask with a huge log', () => {
  it('reads 200,000 new lines in one poll without overflowing the call stack', async () => {
    const upid = 'UPID:node01:00001234:00ABCDEF:68D7279C:vzdump::root@pam:';
    const count = 200_000;
    const lines = Array.from({ length: count }, (_, i) => ({
      n: i + 1,
      t: i === count - 1 ? 'TASK OK' : `line ${i + 1}`,
    }));
    const transport = fixedTransport({
      [`GET /nodes/node01/tasks/${upid}/status`]: {
        upid,
        node: 'node01',
        status: 'stopped',
        exitstatus: 'OK',
      },
      [`GET /nodes/node01/tasks/${upid}/log`]: lines,
    });
    const reports: TaskProgress[] = [];
    const result = await waitForTask(transport, upid, { onProgress: (p) => void reports.push(p) });
    expect(result).toMatchObject({ exitstatus: 'OK', linesSeen: count });
    expect(result.logTail).toHaveLength(10);
    expect(result.logTail.at(-1)).toBe('TASK OK');
    expect(result.logTail[0]).toBe(`line ${count - 9}`);
    expect(reports).toHaveLength(1);
    expect(reports[0]?.newLines).toHaveLength(count);
  });
});
