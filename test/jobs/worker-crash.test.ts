// Crash safety: a `pve-chatops worker` process killed with SIGKILL in the middle of a PVE task, and
// a new worker that resumes the job from the UPID it saved instead of starting the work again.
import { type ChildProcess, spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobData } from '../../src/jobs/job-data.js';
import { guestOf, type JobHarness, REDIS_URL, startJobHarness, THREAD } from './helpers/job-harness.js';

const cli = new URL('../../src/app/cli.ts', import.meta.url).pathname;
const LOCK_MS = 1_500;

let harness: JobHarness | undefined;
let child: ChildProcess | undefined;
afterEach(async () => {
  child?.kill('SIGKILL');
  child = undefined;
  await harness?.stop();
  harness = undefined;
});

/** `pve-chatops worker` as a separate process, on the harness's simulator and Redis prefix. */
function spawnWorker(h: JobHarness): ChildProcess {
  const worker = spawn(
    process.execPath,
    ['--import', 'tsx', cli, '--', 'worker', '--env-file', '/nonexistent'],
    {
      env: {
        PATH: process.env.PATH,
        ...h.sim.env(),
        REDIS_URL,
        REDIS_PREFIX: h.prefix,
        PORT: '0',
        WORKER_LOCK_MS: String(LOCK_MS),
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  worker.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  worker.once('exit', (code, signal) => {
    if (code !== 0 && signal !== 'SIGKILL') process.stderr.write(`worker exited ${code}: ${stderr}\n`);
  });
  return worker;
}

/** Resolves once the simulator runs a task of that type for the guest (a real event, polled). */
async function taskRunning(h: JobHarness, type: string, vmid: number): Promise<void> {
  for (;;) {
    if (h.sim.cluster.tasks.running().some((t) => t.record.type === type && t.record.id === String(vmid)))
      return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function tasksOfType(h: JobHarness, type: string, vmid: number) {
  return h.sim.cluster.tasks
    .all()
    .filter((task) => task.record.type === type && task.record.id === String(vmid));
}

describe('a worker killed mid-task', () => {
  it('migration: the next worker resumes the same UPID, one qmigrate in PVE, the job completes', async () => {
    const h = await startJobHarness({ speed: 4 });
    harness = h;
    const { jobId } = await h.queue.enqueue({
      kind: 'migrate',
      payload: { guest: guestOf(h.sim, 100), target: 'node03' },
      thread: THREAD,
      requestedBy: 'alice',
    });
    child = spawnWorker(h);
    await taskRunning(h, 'qmigrate', 100);
    await h.event((e) => e.type === 'progress' && e.jobId === jobId && e.upid !== undefined);
    child.kill('SIGKILL');
    await new Promise((resolve) => child?.once('exit', resolve));
    expect(h.sim.cluster.tasks.running().some((t) => t.record.type === 'qmigrate')).toBe(true);

    await h.worker({ lockMs: LOCK_MS });
    const result = await h.result(jobId);
    expect(result).toMatchObject({
      ok: true,
      summary: 'TestVM (qemu/100) now runs on node03 (migrated live)',
    });
    expect(tasksOfType(h, 'qmigrate', 100)).toHaveLength(1);
    expect(result.upid).toBe(tasksOfType(h, 'qmigrate', 100)[0]?.record.upid);
    expect(h.sim.cluster.guest(100)?.node).toBe('node03');
  });

  it('clone: the next worker resumes the same UPID, one qmclone in PVE, the job completes', async () => {
    const h = await startJobHarness({ speed: 4 });
    harness = h;
    const { jobId } = await h.queue.enqueue({
      kind: 'clone',
      payload: { source: guestOf(h.sim, 100), name: 'testvm-copy' },
      thread: THREAD,
      requestedBy: 'alice',
    });
    child = spawnWorker(h);
    await taskRunning(h, 'qmclone', 100);
    await h.event((e) => e.type === 'progress' && e.jobId === jobId && e.upid !== undefined);
    child.kill('SIGKILL');
    await new Promise((resolve) => child?.once('exit', resolve));

    await h.worker({ lockMs: LOCK_MS });
    const result = await h.result(jobId);
    expect(result.ok).toBe(true);
    expect(tasksOfType(h, 'qmclone', 100)).toHaveLength(1);
    const newid = result.details?.newid as number;
    expect(
      h.sim.cluster
        .guests()
        .filter((g) => g.name === 'testvm-copy')
        .map((g) => g.vmid),
    ).toEqual([newid]);
  });

  it('died after PVE started the task but before the UPID was saved: the re-run adopts that task', async () => {
    const h = await startJobHarness({ speed: 20 });
    harness = h;
    await h.worker();
    // What the dead worker left: the plan, and the moment it was about to send the POST.
    const direct = await import('../../src/proxmox/proxmox-client.js').then(
      ({ ProxmoxClient }) =>
        new ProxmoxClient({
          hosts: h.sim.hosts,
          tokenId: h.sim.tokenId,
          tokenSecret: h.sim.tokenSecret,
          fingerprints: h.sim.fingerprints,
        }),
    );
    try {
      const [testVm] = await direct.findGuests('TestVM');
      const plan = await direct.planMigration(testVm!, 'node02');
      const startingAt = Date.now();
      const upid = await direct.startMigration(plan);
      const data: JobData = {
        kind: 'migrate',
        payload: { guest: guestOf(h.sim, 100), target: 'node02', mode: 'auto' },
        thread: THREAD,
        requestedBy: 'alice',
        requestedAt: startingAt,
        submission: 'crashed',
        state: { steps: { migrate: { startingAt, linesSeen: 0 } }, memo: { plan } },
      };
      const job = await h.queue.queue.add('migrate', data, { jobId: 'crashed-before-saving-upid' });
      const result = await h.result(job.id as string);
      expect(result).toMatchObject({ ok: true, upid });
      expect(tasksOfType(h, 'qmigrate', 100)).toHaveLength(1);
    } finally {
      await direct.close();
    }
  });
});

describe('a worker killed mid-upgrade', () => {
  it('resumes at the step it was in: the dist-upgrade runs again, a reboot that happened is not issued twice', async () => {
    const h = await startJobHarness({ speed: 20 });
    harness = h;
    const requester = { id: 'console:alice', name: 'alice', groups: [] };
    const planning = await h.queue.enqueue({
      kind: 'upgrade-plan',
      payload: { nodes: ['node03', 'node01'], reboot: 'auto', dryRun: false, requester },
      thread: THREAD,
      requestedBy: 'alice',
    });
    child = spawnWorker(h);
    const planned = await h.result(planning.jobId);
    const { jobId } = await h.queue.enqueue({
      kind: 'upgrade',
      payload: {
        ...(planned.proposal!.payload as object),
        timings: { pollMs: 100, drainTimeoutMs: 60_000, rebootTimeoutMs: 60_000 },
      },
      thread: THREAD,
      requestedBy: 'alice',
    });
    const phase = (text: string) =>
      h.event((e) => e.type === 'progress' && e.jobId === jobId && e.phase.startsWith(text));

    // Killed in the middle of node03's dist-upgrade (its SSH session dies with it)…
    await phase('apt-get dist-upgrade on node03');
    const distUpgrades = () =>
      h.sim.sshCommands.filter((c) => c.node === 'node03' && c.command.endsWith(' dist-upgrade'));
    while (distUpgrades().length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    child.kill('SIGKILL');
    await new Promise((resolve) => child?.once('exit', resolve));
    child = spawnWorker(h);
    // …and again while node01 reboots, after the reboot was asked for.
    await phase('waiting for node01 to reboot');
    child.kill('SIGKILL');
    await new Promise((resolve) => child?.once('exit', resolve));

    await h.worker({ lockMs: LOCK_MS });
    const result = await h.result(jobId);
    expect(result).toMatchObject({ ok: true });
    const reboots = (node: string) =>
      h.sim.requests.filter(
        (r) => r.method === 'POST' && r.path === `/nodes/${node}/status` && r.rawParams.command === 'reboot',
      ).length;
    expect([reboots('node03'), reboots('node01'), reboots('node02')]).toEqual([1, 1, 0]);
    for (const node of ['node03', 'node01']) expect(h.sim.cluster.node(node).pendingUpdates).toEqual([]);
    // The first dist-upgrade died with its worker's SSH session; the resumed job ran it again.
    expect(distUpgrades().map((c) => c.exitCode)).toEqual([null, 0]);
    // Each moved guest went out and back exactly once: no migration was started twice.
    expect(tasksOfType(h, 'vzmigrate', 200)).toHaveLength(2);
    expect(tasksOfType(h, 'qmigrate', 100)).toHaveLength(2);
    expect(h.sim.cluster.guest(100)?.node).toBe('node01');
    expect(h.sim.cluster.guest(200)?.node).toBe('node03');
  });
});
