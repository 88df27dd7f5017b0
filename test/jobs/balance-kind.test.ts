// `balance-plan` and `balance` against the simulator: a skewed cluster planned, approved (the
// proposal run as the core would run it) and carried out; a balanced cluster left alone; the
// cooldown, pins and anti-affinity read from PVE; drift between approval and start; the first
// failure stopping the run.
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_BALANCE_SETTINGS } from '../../src/config/balance-settings.js';
import type { BalancePlan } from '../../src/jobs/balance/balance-plan.js';
import type { ResultEvent } from '../../src/jobs/job-events.js';
import { ProxmoxClient } from '../../src/proxmox/proxmox-client.js';
import type { NodeResource } from '../../src/proxmox/schemas/cluster-schemas.js';
import { makeGuest } from '../../src/sim/cluster/make-guest.js';
import { seededRandom } from '../../src/sim/cluster/seeded-random.js';
import { type JobHarness, startJobHarness, THREAD } from './helpers/job-harness.js';

const REQUESTER = { id: 'U-alice', name: 'alice', groups: [] };
const MiB = 1024 ** 2;

let harness: JobHarness | undefined;
let client: ProxmoxClient | undefined;
afterEach(async () => {
  await client?.close();
  client = undefined;
  await harness?.stop();
  harness = undefined;
});

async function start(): Promise<JobHarness> {
  harness = await startJobHarness({ speed: 200 });
  await harness.worker();
  client = new ProxmoxClient({
    hosts: harness.sim.hosts,
    tokenId: harness.sim.tokenId,
    tokenSecret: harness.sim.tokenSecret,
    fingerprints: harness.sim.fingerprints,
  });
  return harness;
}

/** Running VMs on shared storage (live-migratable), added straight to the simulated cluster. */
function addVms(
  h: JobHarness,
  specs: Array<{ vmid: number; node: string; gib: number; tags?: string }>,
): void {
  const random = seededRandom(7);
  for (const spec of specs) {
    h.sim.cluster.addGuest(
      makeGuest(
        {
          vmid: spec.vmid,
          type: 'qemu',
          name: `bal${spec.vmid}`,
          node: spec.node,
          running: true,
          memoryMiB: spec.gib * 1024,
          cores: 2,
          storage: 'ceph-vm',
          diskGiB: 16,
          ...(spec.tags ? { tags: spec.tags } : {}),
        },
        Date.now(),
        random,
      ),
    );
  }
}

/** node01 carries 6 more VMs of 8 GiB: about 73 % memory against 7–22 % on the others. */
function skew(h: JobHarness): void {
  addVms(
    h,
    [1, 2, 3, 4, 5, 6].map((i) => ({ vmid: 500 + i, node: 'node01', gib: 8 })),
  );
}

async function memorySpread(): Promise<{ spread: number; percent: Record<string, number> }> {
  const nodes = (await client!.clusterResources('node')) as NodeResource[];
  const percent = Object.fromEntries(nodes.map((n) => [n.node, (100 * (n.mem ?? 0)) / (n.maxmem ?? 1)]));
  const values = Object.values(percent);
  return { spread: Math.max(...values) - Math.min(...values), percent };
}

async function plan(h: JobHarness, settings = {}): Promise<ResultEvent> {
  const { jobId } = await h.queue.enqueue({
    kind: 'balance-plan',
    payload: { settings: { ...DEFAULT_BALANCE_SETTINGS, ...settings }, requester: REQUESTER },
    thread: THREAD,
    requestedBy: 'alice',
  });
  return h.result(jobId);
}

async function runProposal(
  h: JobHarness,
  proposal: NonNullable<ResultEvent['proposal']>,
): Promise<ResultEvent> {
  expect(proposal).toMatchObject({ command: 'balance', jobKind: 'balance', requester: REQUESTER });
  const { jobId } = await h.queue.enqueue({
    kind: proposal.jobKind,
    payload: proposal.payload as Record<string, unknown>,
    thread: THREAD,
    requestedBy: 'dave',
  });
  return h.result(jobId);
}

const planOf = (result: ResultEvent) => result.details?.plan as BalancePlan;
const migrations = (h: JobHarness) =>
  h.sim.requests.filter((r) => r.method === 'POST' && /\/(qemu|lxc)\/\d+\/migrate$/.test(r.path)).length;

describe('balancing a simulated cluster', () => {
  it('plans a skewed cluster under the threshold, and the simulator shows it after the moves', async () => {
    const h = await start();
    skew(h);
    const before = await memorySpread();
    expect(before.spread).toBeGreaterThan(50);

    const planned = await plan(h);
    expect(planned.ok).toBe(true);
    const proposed = planOf(planned);
    expect(proposed.outcome).toBe('moves');
    expect(planned.summary).toBe(
      `Plan: ${proposed.moves.length} migrations: memory spread ${proposed.spreadBefore} → ${proposed.spreadAfter} points (plan ${proposed.hash})`,
    );
    expect(proposed.spreadAfter).toBeLessThanOrEqual(DEFAULT_BALANCE_SETTINGS.thresholdPoints);
    expect(planned.text).toContain(`Plan ${proposed.hash}, by memory`);
    expect(migrations(h)).toBe(0);

    const done = await runProposal(h, planned.proposal!);
    expect(done).toMatchObject({ ok: true });
    expect(done.summary).toMatch(new RegExp(`^Moved ${proposed.moves.length} guests: memory spread `));
    for (const move of proposed.moves) expect(h.sim.cluster.guest(move.vmid)!.node).toBe(move.to);
    expect(migrations(h)).toBe(proposed.moves.length);

    const after = await memorySpread();
    expect(after.spread).toBeLessThanOrEqual(DEFAULT_BALANCE_SETTINGS.thresholdPoints);
    // No node overcommitted: its base plus every running guest at full assigned memory keeps 10 % free.
    for (const node of h.sim.cluster.allNodes()) {
      const assigned = h.sim.cluster
        .guestsOn(node.name)
        .filter((g) => g.running)
        .reduce((sum, g) => sum + g.memoryMiB * MiB, 0);
      expect(node.memBase + assigned).toBeLessThanOrEqual(node.memTotal * 0.9);
    }

    // Planned again on the result: nothing to do (no ping-pong).
    const again = await plan(h);
    expect(planOf(again).moves).toEqual([]);
    expect(again.proposal).toBeUndefined();
    expect(again.summary).toMatch(
      /^No beneficial move: the memory spread is [\d.]+ points, within the threshold of 15; the cluster is balanced$/,
    );
  });

  it('answers that a balanced cluster needs no move, and proposes nothing', async () => {
    const h = await start();
    addVms(h, [
      { vmid: 601, node: 'node01', gib: 8 },
      { vmid: 602, node: 'node03', gib: 8 },
    ]);
    const result = await plan(h);
    expect(result.ok).toBe(true);
    expect(planOf(result).outcome).toBe('balanced');
    expect(result.proposal).toBeUndefined();
    expect(result.summary).toMatch(
      /^No beneficial move: the memory spread is [\d.]+ points, within the threshold of 15; the cluster is balanced$/,
    );
  });

  it('keeps pinned guests home, anti-affine guests apart, and recently moved guests still', async () => {
    const h = await start();
    skew(h);
    // The two biggest guests: one pinned to node01, one sharing an anti-affinity tag with a VM
    // on the idlest node (node03); and a 12 GiB guest just migrated to node01 (cooldown).
    addVms(h, [
      { vmid: 701, node: 'node01', gib: 16, tags: 'plb_pin_node01' },
      { vmid: 702, node: 'node01', gib: 14, tags: 'db;plb_anti_affinity_db' },
      { vmid: 703, node: 'node03', gib: 1, tags: 'plb_anti_affinity_db' },
      { vmid: 704, node: 'node02', gib: 12 },
    ]);
    const moved = await client!.migrate({ vmid: 704, type: 'qemu', node: 'node02' }, 'node01', {});
    expect(moved.task.exitstatus).toBe('OK');

    const planned = await plan(h);
    const proposed = planOf(planned);
    expect(proposed.outcome).toBe('moves');
    const moves = proposed.moves.map((m) => m.vmid);
    expect(moves).not.toContain(701);
    expect(moves).not.toContain(704);
    expect(proposed.moves.find((m) => m.vmid === 702)?.to ?? 'node01').not.toBe('node03');
    expect(proposed.skipped).toEqual(
      expect.arrayContaining([
        { reason: 'kept on node01 by tag plb_pin_node01', guests: ['bal701 (qemu/701)'] },
        { reason: 'migrated within the last 60 min (cooldown)', guests: ['bal704 (qemu/704)'] },
      ]),
    );

    await runProposal(h, planned.proposal!);
    expect(h.sim.cluster.guest(701)!.node).toBe('node01');
    expect(h.sim.cluster.guest(702)!.node).not.toBe(h.sim.cluster.guest(703)!.node);
    expect(h.sim.cluster.guest(704)!.node).toBe('node01');
  });

  it('proposes the new plan instead of running the approved one when the cluster drifted', async () => {
    const h = await start();
    skew(h);
    const planned = await plan(h);
    const approved = planOf(planned);
    // Between approval and start, someone moves a guest of the plan by hand.
    const first = approved.moves[0]!;
    const manual = await client!.migrate(
      { vmid: first.vmid, type: 'qemu', node: first.from },
      first.to === 'node02' ? 'node03' : 'node02',
      {},
    );
    expect(manual.task.exitstatus).toBe('OK');
    const before = migrations(h);

    const result = await runProposal(h, planned.proposal!);
    expect(result.ok).toBe(true);
    const fresh = planOf(result);
    expect(fresh.hash).not.toBe(approved.hash);
    expect(result.summary).toMatch(
      new RegExp(
        `^The cluster changed since plan ${approved.hash} was approved, so nothing moved: the new plan ${fresh.hash} needs its own approval$`,
      ),
    );
    expect(result.details).toMatchObject({ healthy: false, approvedHash: approved.hash });
    expect(result.proposal).toMatchObject({ command: 'balance', jobKind: 'balance', requester: REQUESTER });
    expect((result.proposal!.payload as { plan: BalancePlan }).plan.hash).toBe(fresh.hash);
    expect(migrations(h)).toBe(before);

    // The new plan, approved, runs.
    const done = await runProposal(h, result.proposal!);
    expect(done.ok).toBe(true);
    expect((await memorySpread()).spread).toBeLessThanOrEqual(15);
  });

  it('takes Abort between moves: the move in flight finishes, no further one starts', async () => {
    const h = await start();
    skew(h);
    const planned = await plan(h);
    const proposed = planOf(planned);
    expect(proposed.moves.length).toBeGreaterThanOrEqual(3);
    const { jobId } = await h.queue.enqueue({
      kind: 'balance',
      payload: { ...(planned.proposal!.payload as Record<string, unknown>), pollMs: 50 },
      thread: THREAD,
      requestedBy: 'dave',
    });
    await h.event((e) => e.type === 'progress' && e.jobId === jobId && /^move 2 of /.test(e.phase));
    expect(await h.queue.control(jobId, 'abort', 'dave')).toMatchObject({ status: 'set' });
    const result = await h.result(jobId);
    expect(result).toMatchObject({ ok: false, code: 'JOB_ABORTED' });
    expect(result.error).toContain(`Balance aborted by dave after 2 of ${proposed.moves.length} migrations`);
    for (const [i, move] of proposed.moves.entries()) {
      expect(h.sim.cluster.guest(move.vmid)!.node).toBe(i < 2 ? move.to : move.from);
      if (i >= 2)
        expect(result.error).toContain(
          `– bal${move.vmid} (qemu/${move.vmid}) ${move.from} → ${move.to}: not started`,
        );
    }
  });

  it('stops at the first failed migration and reports what moved and what did not', async () => {
    const h = await start();
    skew(h);
    const planned = await plan(h);
    const proposed = planOf(planned);
    expect(proposed.moves.length).toBeGreaterThan(1);
    h.sim.cluster.failNextTask('qmigrate', 'migration problems');

    const result = await runProposal(h, planned.proposal!);
    expect(result).toMatchObject({ ok: false, code: 'BALANCE_FAILED' });
    const [first, ...rest] = proposed.moves;
    expect(result.error).toContain(
      `Balance stopped at the first failure after 0 of ${proposed.moves.length} migrations`,
    );
    expect(result.error).toContain(
      `✗ bal${first!.vmid} (qemu/${first!.vmid}) ${first!.from} → ${first!.to}: failed:`,
    );
    expect(result.error).toContain('migration problems');
    for (const move of rest) {
      expect(result.error).toContain(
        `– bal${move.vmid} (qemu/${move.vmid}) ${move.from} → ${move.to}: not started`,
      );
      expect(h.sim.cluster.guest(move.vmid)!.node).toBe(move.from);
    }
    expect(migrations(h)).toBe(1);
  });
});
