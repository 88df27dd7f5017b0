// Snapshots against the simulator through the real queue, worker and Redis: take one (named by the
// bot, with RAM or without), list the tree, roll back (the config of then comes back; a RAM
// snapshot resumes running), delete, retention (the bot's oldest go, a person's never), and
// PVE's own words when it refuses inside the task.
import { afterEach, describe, expect, it } from 'vitest';
import { isBotSnapshot } from '../../../src/jobs/snapshots/bot-snapshot-name.js';
import { captureState } from '../../../src/sim/cluster/guest-snapshots.js';
import { guestOf, type JobHarness, startJobHarness, THREAD } from '../helpers/job-harness.js';

let harness: JobHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

async function run(h: JobHarness, kind: string, payload: unknown) {
  const { jobId } = await h.queue.enqueue({ kind, payload, thread: THREAD, requestedBy: 'alice' });
  return h.result(jobId);
}

async function start(): Promise<JobHarness> {
  const h = await startJobHarness({ speed: 50 });
  harness = h;
  await h.worker();
  return h;
}

/** Seeds snapshots of a guest in the simulator, oldest first, each the parent of the next. */
function seed(h: JobHarness, vmid: number, snapshots: Array<{ name: string; at: string }>): void {
  const guest = h.sim.cluster.guest(vmid)!;
  for (const { name, at } of snapshots) {
    guest.snapshots = [
      ...(guest.snapshots ?? []),
      { name, snaptime: Date.parse(at) / 1000, state: captureState(guest) },
    ];
    guest.parent = name;
  }
}

describe('/pve snapshot', () => {
  it('takes a snapshot named by the bot, with its RAM, and offers to roll back to it', async () => {
    const h = await start();
    const testVm = guestOf(h.sim, 100);
    const result = await run(h, 'snapshot', { guest: testVm, vmstate: true });
    expect(result.ok).toBe(true);
    const name = String(result.details?.snapshot);
    expect(isBotSnapshot(name)).toBe(true);
    expect(name).toMatch(/^chatops-\d{8}-\d{6}$/);
    expect(result.summary).toMatch(
      new RegExp(`^Snapshot \`${name}\` of TestVM \\(qemu/100\\) taken, with its RAM, in \\d+ s$`),
    );
    expect(result.details).toMatchObject({ withRam: true });
    expect(result.offers).toEqual([{ label: 'Roll back', command: `rollback 100 ${name}` }]);
    expect(h.sim.cluster.guest(100)?.snapshots?.map((s) => s.name)).toEqual([name]);

    // A second one in the same second still gets a name of its own, in the bot's form.
    const again = await run(h, 'snapshot', { guest: testVm });
    expect(again.ok).toBe(true);
    expect(isBotSnapshot(String(again.details?.snapshot))).toBe(true);
    expect(again.details?.snapshot).not.toBe(name);
    expect(again.summary).toContain('disks only');

    const list = await run(h, 'snapshots', { guest: testVm });
    expect(list.summary).toBe('2 snapshots of TestVM (qemu/100), 2 by the bot');
    const lines = list.text!.split('\n');
    expect(lines[0]).toMatch(
      new RegExp(`^\`${name}\` · \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC · with RAM · by the bot$`),
    );
    expect(lines[1]).toMatch(/^ {3}`chatops-.+` · .+ · disks only · by the bot$/);
    expect(lines[2]).toBe('      ▶ you are here (running)');
  });

  it('reports PVE’s words when it refuses inside the task: a name already used, an unknown snapshot', async () => {
    const h = await start();
    const testVm = guestOf(h.sim, 100);
    expect(await run(h, 'snapshot', { guest: testVm, name: 'before-change' })).toMatchObject({ ok: true });
    const twice = await run(h, 'snapshot', { guest: testVm, name: 'before-change' });
    expect(twice).toMatchObject({ ok: false, code: 'PVE_TASK_FAILED' });
    expect(twice.error).toContain("snapshot name 'before-change' already used");

    const gone = await run(h, 'snapshot-delete', { guest: testVm, snapshot: 'nope' });
    expect(gone).toMatchObject({ ok: false });
    expect(gone.error).toContain("snapshot 'nope' does not exist");

    // The rollback checks again when it runs: the snapshot may have gone since the approval.
    const stale = await run(h, 'rollback', { guest: testVm, snapshot: 'nope' });
    expect(stale).toMatchObject({ ok: false, code: 'JOB_STALE' });
    expect(stale.error).toBe(
      "TestVM (qemu/100) has no snapshot 'nope' any more (it has `before-change`); nothing was rolled back",
    );
  });
});

describe('/pve rollback', () => {
  it('restores the configuration of the snapshot; without RAM the guest stays stopped', async () => {
    const h = await start();
    const testVm = guestOf(h.sim, 100);
    const before = h.sim.cluster.guest(100)!;
    const cores = before.cores;
    const memory = before.memoryMiB;
    expect(await run(h, 'snapshot', { guest: testVm, name: 'before-change' })).toMatchObject({ ok: true });
    before.cores = cores * 2;
    before.memoryMiB = memory * 2;

    const result = await run(h, 'rollback', { guest: testVm, snapshot: 'before-change' });
    expect(result).toMatchObject({ ok: true });
    expect(result.summary).toMatch(
      /^TestVM \(qemu\/100\) rolled back to `before-change` \(taken \d{4}-\d\d-\d\d \d\d:\d\d UTC\); it is stopped$/,
    );
    const after = h.sim.cluster.guest(100)!;
    expect([after.cores, after.memoryMiB]).toEqual([cores, memory]);
    expect(after.running).toBe(false);
  });

  it('resumes a guest from a RAM snapshot, and starts one with start', async () => {
    const h = await start();
    const testVm = guestOf(h.sim, 100);
    expect(await run(h, 'snapshot', { guest: testVm, name: 'with-ram', vmstate: true })).toMatchObject({
      ok: true,
    });
    const resumed = await run(h, 'rollback', { guest: testVm, snapshot: 'with-ram' });
    expect(resumed.summary).toMatch(/it is running$/);
    expect(h.sim.cluster.guest(100)?.running).toBe(true);

    const container = guestOf(h.sim, 200);
    expect(await run(h, 'snapshot', { guest: container, name: 'ct-base' })).toMatchObject({ ok: true });
    const started = await run(h, 'rollback', { guest: container, snapshot: 'ct-base', start: true });
    expect(started.summary).toMatch(/ct-dns01 \(lxc\/200\) rolled back to `ct-base`.*; it is running$/);
  });
});

describe('snapshot retention', () => {
  it('deletes the bot’s oldest snapshots beyond keep, never a person’s', async () => {
    const h = await start();
    const testVm = guestOf(h.sim, 100);
    seed(h, 100, [
      { name: 'before-maintenance', at: '2024-06-01T08:00:00Z' },
      { name: 'chatops-20250101-000000', at: '2025-01-01T00:00:00Z' },
      { name: 'chatops-20250201-000000', at: '2025-02-01T00:00:00Z' },
      { name: 'chatops-20250301-000000', at: '2025-03-01T00:00:00Z' },
    ]);
    const result = await run(h, 'snapshot', { guest: testVm, keep: 2 });
    expect(result.ok).toBe(true);
    const taken = String(result.details?.snapshot);
    expect(result.text).toBe(
      "Retention (the bot's newest 2 kept): deleted `chatops-20250101-000000`, `chatops-20250201-000000`",
    );
    expect(h.sim.cluster.guest(100)?.snapshots?.map((s) => s.name)).toEqual([
      'before-maintenance',
      'chatops-20250301-000000',
      taken,
    ]);
    // Even with keep 1, a person's snapshot stays, as does the one just taken.
    const next = await run(h, 'snapshot', { guest: testVm, keep: 1 });
    expect(h.sim.cluster.guest(100)?.snapshots?.map((s) => s.name)).toEqual([
      'before-maintenance',
      String(next.details?.snapshot),
    ]);
  });
});
