// Updates and the rolling upgrade against the simulator: the real worker, the real SSH runner
// against the simulator's sshd per node, real HTTPS to its API, a real Redis.
import { afterEach, describe, expect, it } from 'vitest';
import type { ProgressEvent, ResultEvent } from '../../src/jobs/job-events.js';
import type { UpgradePlan } from '../../src/jobs/upgrade/upgrade-plan.js';
import { NEW_KERNEL } from '../../src/sim/cluster/node-packages.js';
import { type JobHarness, startJobHarness, THREAD } from './helpers/job-harness.js';

const REQUESTER = { id: 'console:alice', name: 'alice', groups: [] };
const FAST = { pollMs: 100, drainTimeoutMs: 60_000, rebootTimeoutMs: 60_000 };

let harness: JobHarness | undefined;
let sampler: ReturnType<typeof setInterval> | undefined;
afterEach(async () => {
  clearInterval(sampler);
  await harness?.stop();
  harness = undefined;
});

async function plan(h: JobHarness, nodes: string[] = []): Promise<ResultEvent> {
  const { jobId } = await h.queue.enqueue({
    kind: 'upgrade-plan',
    payload: { nodes, reboot: 'auto', dryRun: false, requester: REQUESTER },
    thread: THREAD,
    requestedBy: 'alice',
  });
  return h.result(jobId);
}

async function upgrade(h: JobHarness, nodes: string[] = []): Promise<{ jobId: string; plan: UpgradePlan }> {
  const planned = await plan(h, nodes);
  expect(planned.ok).toBe(true);
  const payload = planned.proposal!.payload as { plan: UpgradePlan };
  const { jobId } = await h.queue.enqueue({
    kind: 'upgrade',
    payload: { ...payload, timings: FAST },
    thread: THREAD,
    requestedBy: 'alice',
  });
  return { jobId, plan: payload.plan };
}

function rebootRequests(h: JobHarness, node: string): number {
  return h.sim.requests.filter(
    (r) => r.method === 'POST' && r.path === `/nodes/${node}/status` && r.rawParams.command === 'reboot',
  ).length;
}

/** Nodes that are drained now: in HA maintenance, or with a guest of theirs elsewhere. */
function drainedNodes(h: JobHarness, home: Map<number, string>): string[] {
  const drained = new Set<string>();
  for (const node of h.sim.nodes) if (h.sim.cluster.ha.maintenanceRequested(node)) drained.add(node);
  for (const [vmid, node] of home) if (h.sim.cluster.guest(vmid)?.node !== node) drained.add(node);
  return [...drained];
}

function runningGuests(h: JobHarness): Map<number, string> {
  return new Map(
    h.sim.cluster
      .guests()
      .filter((g) => g.running)
      .map((g) => [g.vmid, g.node]),
  );
}

describe('updates', () => {
  it('refreshes the package lists and lists each node’s pending packages, kernel and reboot', async () => {
    const h = await startJobHarness({ speed: 50 });
    harness = h;
    await h.worker();
    const { jobId } = await h.queue.enqueue({
      kind: 'updates',
      payload: { nodes: [] },
      thread: THREAD,
      requestedBy: 'alice',
    });
    const result = await h.result(jobId);
    expect(result.ok).toBe(true);
    expect(result.summary).toMatch(
      /updates pending on 3 of 3 nodes; a reboot will be needed on node01, node02, node03/,
    );
    for (const node of h.sim.nodes) {
      for (const update of h.sim.cluster.node(node).pendingUpdates)
        expect(result.text).toContain(update.Package);
    }
    expect(result.text).toContain(`kernel 6.17.2-1-pve → ${NEW_KERNEL}`);
    expect(result.text).toMatch(
      /node01: \d+ updates, kernel .*, pve-manager 9\.1\.3 → 9\.1\.4, reboot needed/,
    );
    // The refresh is PVE's own aptupdate task, once per node.
    expect(h.sim.cluster.tasks.all().filter((t) => t.record.type === 'aptupdate')).toHaveLength(3);
  });

  it('counts an apt-get update that ended with warnings as done (PVE does), not as a node it cannot read', async () => {
    const h = await startJobHarness({ speed: 50 });
    harness = h;
    await h.worker();
    // apt-get update prints `W: …` for a repository it could not refresh; PVE's aptupdate task
    // then logs a warning and ends `WARNINGS: 1`, which PVE counts as a success.
    h.sim.cluster.tasks.onStart((task) => {
      if (task.record.type === 'aptupdate' && task.record.node === 'node02')
        task.warn('W: Failed to fetch https://enterprise.proxmox.com/debian/pve/dists/trixie/InRelease  401');
    });
    const { jobId } = await h.queue.enqueue({
      kind: 'updates',
      payload: { nodes: [] },
      thread: THREAD,
      requestedBy: 'alice',
    });
    const result = await h.result(jobId);
    expect(result.ok).toBe(true);
    const warned = h.sim.cluster.tasks
      .all()
      .find((t) => t.record.type === 'aptupdate' && t.record.node === 'node02');
    expect(warned?.record.exitstatus).toBe('WARNINGS: 1');
    expect(result.summary).toMatch(/updates pending on 3 of 3 nodes/);
    expect(result.text).not.toContain('apt-get update failed');
  });
});

describe('the rolling upgrade', () => {
  it('upgrades and reboots every node once, one drained at a time, and brings every guest home', async () => {
    const h = await startJobHarness({ speed: 50 });
    harness = h;
    await h.worker();
    const home = runningGuests(h);
    expect([...new Set(home.values())].sort()).toEqual(['node01', 'node02', 'node03']);
    const seen: string[][] = [];
    sampler = setInterval(() => seen.push(drainedNodes(h, home)), 10);

    const { jobId, plan: planned } = await upgrade(h);
    expect(planned.steps.map((s) => s.node)).toHaveLength(3);
    const result = await h.result(jobId);
    clearInterval(sampler);
    expect(result).toMatchObject({ ok: true });
    expect(result.summary).toMatch(
      /^Upgraded .*; rebooted node0\d, node0\d, node0\d; every guest back home$/,
    );
    for (const node of h.sim.nodes) {
      const simNode = h.sim.cluster.node(node);
      expect(simNode.pendingUpdates).toEqual([]);
      expect(simNode.runningKernel).toBe(NEW_KERNEL);
      expect(rebootRequests(h, node)).toBe(1);
      expect(h.sim.cluster.ha.maintenanceRequested(node)).toBe(false);
    }
    expect(runningGuests(h)).toEqual(home);
    expect(h.sim.cluster.isQuorate()).toBe(true);
    // Never two nodes drained at once, and each was drained at some point.
    expect(seen.filter((drained) => drained.length > 1)).toEqual([]);
    expect(new Set(seen.flat())).toEqual(new Set(['node01', 'node02', 'node03']));
    // Only the fixed commands ran, and each succeeded.
    const commands = new Set(h.sim.sshCommands.map((c) => c.command.replace(/node0\d$/, 'NODE')));
    expect([...commands].sort()).toEqual([
      'DEBIAN_FRONTEND=noninteractive apt-get -y -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold dist-upgrade',
      'apt-get update',
      'ha-manager crm-command node-maintenance disable NODE',
      'ha-manager crm-command node-maintenance enable NODE',
      'test -f /var/run/reboot-required',
    ]);
    // Progress showed the dist-upgrade's own output, with Pause and Abort offered.
    const progress = h.events.filter((e): e is ProgressEvent => e.type === 'progress' && e.jobId === jobId);
    expect(
      progress.some((e) =>
        e.logLines.some((line) => /^(Setting up|Unpacking|Processing triggers) /.test(line)),
      ),
    ).toBe(true);
    expect(progress.every((e) => e.controls?.includes('abort'))).toBe(true);
  });

  it('takes a drain migration that ends with warnings (TASK WARNINGS: 1) as done, as PVE does', async () => {
    const h = await startJobHarness({ speed: 50 });
    harness = h;
    await h.worker();
    const home = runningGuests(h);
    // A worker's log_warn (pve-common RESTEnvironment) prints `WARN: <message>` and counts it;
    // the task then ends `TASK WARNINGS: 1` and its exitstatus is `WARNINGS: 1`, a success.
    let armed = true;
    h.sim.cluster.tasks.onStart((task) => {
      if (!armed || task.record.type !== 'qmigrate' || task.record.user !== h.sim.tokenId) return;
      armed = false;
      task.warn('drive-scsi0: failed to dismiss job - job not found');
    });
    const { jobId } = await upgrade(h, ['node01']);
    const result = await h.result(jobId);
    expect(result).toMatchObject({ ok: true });
    const warned = h.sim.cluster.tasks
      .all()
      .filter((t) => t.record.type === 'qmigrate' && t.record.exitstatus === 'WARNINGS: 1');
    expect(warned).toHaveLength(1);
    expect(warned[0]!.record.id).toBe('100');
    expect(warned[0]!.lines.at(-1)).toBe('TASK WARNINGS: 1');
    expect(runningGuests(h)).toEqual(home);
  });

  it('stops at the first failure (dist-upgrade on node02) with node03 untouched and says where things stand', async () => {
    const h = await startJobHarness({ speed: 50 });
    harness = h;
    await h.worker();
    h.sim.faults.failNextUpgrade('node02');
    const pendingOn03 = h.sim.cluster.node('node03').pendingUpdates.length;
    const { jobId } = await upgrade(h, ['node01', 'node02', 'node03']);
    const result = await h.result(jobId);
    expect(result).toMatchObject({ ok: false, code: 'UPGRADE_FAILED' });
    expect(result.error).toContain(
      'Upgrade stopped at node02: apt-get dist-upgrade on node02 failed (exit 100)',
    );
    expect(result.error).toContain('E: Sub-process /usr/bin/dpkg returned an error code (1)');
    expect(result.error).toMatch(/node01: upgraded and rebooted, guests back/);
    expect(result.error).toMatch(
      /node02: dist-upgrade failed \(exit 100\); in HA maintenance mode; moved away: db01 \(qemu\/102\) on node0[13]/,
    );
    expect(result.error).toMatch(/node03: untouched/);
    expect(h.sim.cluster.node('node03').pendingUpdates).toHaveLength(pendingOn03);
    expect(rebootRequests(h, 'node03')).toBe(0);
    expect(
      h.sim.sshCommands.filter(
        (c) => c.node === 'node03' && c.command !== 'test -f /var/run/reboot-required',
      ),
    ).toEqual([]);
    // Asked again, node02 is refused up front: it is still in the maintenance the failure left.
    const again = await upgrade(h, ['node02']);
    const refused = await h.result(again.jobId);
    expect(refused).toMatchObject({ ok: false, code: 'UPGRADE_FAILED' });
    expect(refused.error).toContain('pre-flight for node02: it is already in HA maintenance mode');
  });

  it('refuses a node whose host key changed, before draining it', async () => {
    const h = await startJobHarness({ speed: 50 });
    harness = h;
    await h.worker();
    const home = runningGuests(h);
    h.sim.faults.changeSshHostKey('node01');
    const { jobId } = await upgrade(h, ['node01']);
    const result = await h.result(jobId);
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/host key of node01 .* is not the one/);
    expect(result.error).toMatch(/node01: untouched/);
    expect(h.sim.sshCommands.filter((c) => c.node === 'node01')).toEqual([]);
    expect(runningGuests(h)).toEqual(home);
  });

  it('aborts between nodes leaving no node in maintenance and every guest home', async () => {
    const h = await startJobHarness({ speed: 50 });
    harness = h;
    await h.worker();
    const home = runningGuests(h);
    const { jobId, plan: planned } = await upgrade(h, ['node01', 'node02', 'node03']);
    expect(planned.steps[0]!.node).toBe('node01');
    // node01 is done and node02's pre-flight has begun: Abort now takes effect before node02 drains.
    await h.event(
      (e) => e.type === 'progress' && e.jobId === jobId && e.phase.startsWith('pre-flight checks for node02'),
    );
    await h.queue.control(jobId, 'abort', 'dave');
    const result = await h.result(jobId);
    expect(result).toMatchObject({ ok: false, code: 'JOB_ABORTED' });
    expect(result.error).toMatch(/^Upgrade aborted by dave/);
    expect(result.error).toMatch(/node01: upgraded and rebooted, guests back/);
    expect(result.error).toMatch(/node02: untouched/);
    for (const node of h.sim.nodes) expect(h.sim.cluster.ha.maintenanceRequested(node)).toBe(false);
    expect(runningGuests(h)).toEqual(home);
    expect(h.sim.cluster.node('node02').pendingUpdates.length).toBeGreaterThan(0);
  });

  it('pauses between steps until resumed, then finishes', async () => {
    const h = await startJobHarness({ speed: 50 });
    harness = h;
    await h.worker();
    const { jobId } = await upgrade(h, ['node03']);
    await h.queue.control(jobId, 'pause', 'dave');
    const paused = (await h.event(
      (e) => e.type === 'progress' && e.jobId === jobId && e.phase.startsWith('paused by dave'),
    )) as ProgressEvent;
    expect(paused.controls).toEqual(['resume', 'abort']);
    const commandsWhilePaused = h.sim.sshCommands.length;
    await h.queue.control(jobId, 'resume', 'dave');
    const result = await h.result(jobId);
    expect(result.ok).toBe(true);
    expect(h.sim.sshCommands.length).toBeGreaterThan(commandsWhilePaused);
  });

  it('names the step it waits before when paused mid-node, across slices', async () => {
    const h = await startJobHarness({ speed: 50 });
    harness = h;
    // Short slices: the job is re-entered from the top many times during the node's upgrade.
    await h.worker({ sliceMs: 300 });
    const { jobId } = await upgrade(h, ['node03']);
    await h.event(
      (e) => e.type === 'progress' && e.jobId === jobId && e.phase.startsWith('waiting for node03 to reboot'),
    );
    await h.queue.control(jobId, 'pause', 'dave');
    const paused = (await h.event(
      (e) => e.type === 'progress' && e.jobId === jobId && e.phase.startsWith('paused by dave'),
    )) as ProgressEvent;
    expect(paused.phase).toBe(
      'paused by dave before bringing the guests back to node03 (1 of 1); Resume or Abort',
    );
    await h.queue.control(jobId, 'resume', 'dave');
    expect((await h.result(jobId)).ok).toBe(true);
  });
});
