// A node is not upgraded while a guest migrates INTO it: its pre-flight waits (and, when the wait
// ends first, refuses), and the reboot itself waits for a migration begun after the pre-flight.
// The simulator runs the migration as PVE does (a qmigrate task on the source node whose log
// names the target), made to last by giving TestVM a huge memory to transfer.
import { afterEach, describe, expect, it } from 'vitest';
import { sshRunnerForSimulator } from '../../../src/app/simulator-ssh.js';
import type { ProgressEvent, ResultEvent } from '../../../src/jobs/job-events.js';
import type { UpgradePlan } from '../../../src/jobs/upgrade/upgrade-plan.js';
import { silentLogger } from '../../../src/logger.js';
import { ProxmoxClient } from '../../../src/proxmox/proxmox-client.js';
import type { SshRunner } from '../../../src/proxmox/ssh/ssh-runner.js';
import type { SimTask } from '../../../src/sim/cluster/sim-task.js';
import { until } from '../../faults/helpers/until.js';
import { type JobHarness, startJobHarness, THREAD } from '../helpers/job-harness.js';

const REQUESTER = { id: 'console:alice', name: 'alice', groups: [] };

let harness: JobHarness | undefined;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
  await harness?.stop();
  harness = undefined;
});

function client(h: JobHarness): ProxmoxClient {
  const pve = new ProxmoxClient({
    hosts: h.sim.hosts,
    tokenId: h.sim.tokenId,
    tokenSecret: h.sim.tokenSecret,
    fingerprints: h.sim.fingerprints,
    logger: silentLogger,
  });
  cleanups.push(() => pve.close());
  return pve;
}

/** TestVM (node01) live-migrating to node03, for hours of simulated time: its log names node03. */
async function longMigrationIntoNode03(h: JobHarness): Promise<SimTask> {
  h.sim.cluster.guest(100)!.memoryMiB = 1024 ** 3; // a PiB of RAM to transfer
  const pve = client(h);
  const [testVm] = await pve.findGuests('100');
  const upid = await pve.startMigration(await pve.planMigration(testVm!, 'node03'));
  const task = h.sim.cluster.tasks.all().find((t) => t.upid === upid)!;
  await until(
    () => task.lines.some((line) => line.includes("starting migration of VM 100 to node 'node03'")),
    'the migration to name its target',
  );
  return task;
}

function rebootRequests(h: JobHarness, node: string): number {
  return h.sim.requests.filter(
    (r) => r.method === 'POST' && r.path === `/nodes/${node}/status` && r.rawParams.command === 'reboot',
  ).length;
}

async function upgradeNode03(
  h: JobHarness,
  timings = { pollMs: 100, drainTimeoutMs: 120_000, rebootTimeoutMs: 60_000 },
): Promise<string> {
  const { jobId: planJob } = await h.queue.enqueue({
    kind: 'upgrade-plan',
    payload: { nodes: ['node03'], reboot: 'always', dryRun: false, requester: REQUESTER },
    thread: THREAD,
    requestedBy: 'alice',
  });
  const planned = await h.result(planJob);
  expect(planned.ok).toBe(true);
  const payload = planned.proposal!.payload as { plan: UpgradePlan };
  const { jobId } = await h.queue.enqueue({
    kind: 'upgrade',
    payload: { ...payload, timings },
    thread: THREAD,
    requestedBy: 'alice',
  });
  return jobId;
}

function progressOf(h: JobHarness, jobId: string, prefix: string): Promise<ProgressEvent> {
  return h.event(
    (e) => e.type === 'progress' && e.jobId === jobId && e.phase.startsWith(prefix),
  ) as Promise<ProgressEvent>;
}

describe('a rolling upgrade and a migration into the node', () => {
  it('waits in the pre-flight while a guest migrates into the node, and reboots it only after', async () => {
    const h = await startJobHarness({ speed: 50 });
    harness = h;
    await h.worker();
    const migration = await longMigrationIntoNode03(h);
    let rebootsWhenMigrationEnded: number | undefined;
    migration.onDone(() => {
      rebootsWhenMigrationEnded = rebootRequests(h, 'node03');
    });
    const jobId = await upgradeNode03(h);

    const waiting = await progressOf(h, jobId, 'pre-flight for node03: waiting for');
    expect(waiting.phase).toBe(
      'pre-flight for node03: waiting for VM 100 from node01 to finish migrating into node03',
    );
    // Nothing was drained or run on node03 while it waited.
    expect(
      h.sim.sshCommands.filter(
        (c) => c.node === 'node03' && c.command !== 'test -f /var/run/reboot-required',
      ),
    ).toEqual([]);
    // The migration ends (stopped here: it would take hours); the upgrade then goes ahead.
    await client(h).stopTask(migration.upid);
    const result = await h.result(jobId);
    expect(result.ok).toBe(true);
    expect(rebootsWhenMigrationEnded).toBe(0);
    expect(rebootRequests(h, 'node03')).toBe(1);
  });

  it('refuses the node with a clear reason when the migration outlasts the wait', async () => {
    const h = await startJobHarness({ speed: 50 });
    harness = h;
    await h.worker();
    const migration = await longMigrationIntoNode03(h);
    const pendingOn03 = h.sim.cluster.node('node03').pendingUpdates.length;
    const jobId = await upgradeNode03(h, { pollMs: 100, drainTimeoutMs: 1_000, rebootTimeoutMs: 60_000 });
    const result: ResultEvent = await h.result(jobId);
    expect(result).toMatchObject({ ok: false, code: 'UPGRADE_FAILED' });
    expect(result.error).toMatch(
      /^Upgrade stopped at node03: pre-flight for node03: still migrating into node03 when the wait ended \(\d\d:\d\d:\d\d UTC\): VM 100 from node01\. Rebooting node03 would break the migration; ask again once it has ended/,
    );
    expect(result.error).toMatch(/node03: untouched/);
    expect(migration.running).toBe(true);
    expect(rebootRequests(h, 'node03')).toBe(0);
    expect(h.sim.cluster.node('node03').pendingUpdates).toHaveLength(pendingOn03);
    await client(h).stopTask(migration.upid);
  });

  it('waits before the reboot for a migration into the node begun after its pre-flight', async () => {
    const h = await startJobHarness({ speed: 50 });
    harness = h;
    // The dist-upgrade on node03 is held until the migration has begun, so it starts after the
    // pre-flight, whatever the machine's speed.
    const real = sshRunnerForSimulator(h.sim.ssh);
    cleanups.push(() => real.close());
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const gated = {
      run: async (...args: Parameters<SshRunner['run']>) => {
        if (args[0].node === 'node03' && args[1].kind === 'dist-upgrade') await held;
        return real.run(...args);
      },
      close: () => Promise.resolve(),
    } as unknown as SshRunner;
    await h.worker({ ssh: gated });
    const jobId = await upgradeNode03(h);
    await progressOf(h, jobId, 'apt-get dist-upgrade on node03');
    const migration = await longMigrationIntoNode03(h);
    let rebootsWhenMigrationEnded: number | undefined;
    migration.onDone(() => {
      rebootsWhenMigrationEnded = rebootRequests(h, 'node03');
    });
    release();
    const waiting = await progressOf(h, jobId, 'before rebooting node03: waiting for');
    expect(waiting.phase).toBe(
      'before rebooting node03: waiting for VM 100 from node01 to finish migrating into node03',
    );
    await client(h).stopTask(migration.upid);
    const result = await h.result(jobId);
    expect(result.ok).toBe(true);
    expect(rebootsWhenMigrationEnded).toBe(0);
    expect(rebootRequests(h, 'node03')).toBe(1);
  });
});
