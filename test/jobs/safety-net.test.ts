// The safety net against the simulator: the real worker, real HTTPS, a real Redis. A job whose
// request asked for it (JobData.safetyNet) snapshots each guest it puts at risk before it acts, in
// the bot's name with the reason, and offers Roll back on its result, on success and on failure;
// a rolling upgrade does it node by node, before each node's reboot.
import { afterEach, describe, expect, it } from 'vitest';
import type { ResultEvent } from '../../src/jobs/job-events.js';
import { isBotSnapshot } from '../../src/jobs/snapshots/bot-snapshot-name.js';
import type { UpgradePlan } from '../../src/jobs/upgrade/upgrade-plan.js';
import { guestOf, type JobHarness, startJobHarness, THREAD } from './helpers/job-harness.js';

const REQUESTER = { id: 'console:alice', name: 'alice', groups: [] };
const FAST = { pollMs: 100, drainTimeoutMs: 60_000, rebootTimeoutMs: 60_000 };

let harness: JobHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

/** The index in the simulator's request log of the first request matching. */
function firstIndex(h: JobHarness, method: string, path: RegExp, param?: [string, string]): number {
  return h.sim.requests.findIndex(
    (r) =>
      r.method === method &&
      path.test(r.path) &&
      (param === undefined || String(r.rawParams[param[0]]) === param[1]),
  );
}

function snapshotNames(h: JobHarness, vmid: number): string[] {
  return (h.sim.cluster.guest(vmid)?.snapshots ?? []).map((s) => s.name);
}

describe('the safety net', () => {
  it('snapshots the guest before a migration, and offers Roll back on the result', async () => {
    const h = await startJobHarness({ speed: 50 });
    harness = h;
    await h.worker();
    const { jobId } = await h.queue.enqueue({
      kind: 'migrate',
      payload: { guest: guestOf(h.sim, 100), target: 'node03', mode: 'auto' },
      thread: THREAD,
      requestedBy: 'alice',
      command: 'migrate',
      safetyNet: { snapshot: true },
    });
    const result = await h.result(jobId);
    expect(result.ok).toBe(true);
    const [name] = snapshotNames(h, 100);
    expect(name).toMatch(/^chatops-\d{8}-\d{6}-migrate$/);
    expect(isBotSnapshot(name!)).toBe(true);
    // Taken before the migration was asked for.
    const snapshotAt = firstIndex(h, 'POST', /^\/nodes\/node01\/qemu\/100\/snapshot$/);
    const migrateAt = firstIndex(h, 'POST', /^\/nodes\/node01\/qemu\/100\/migrate$/);
    expect(snapshotAt).toBeGreaterThanOrEqual(0);
    expect(snapshotAt).toBeLessThan(migrateAt);
    expect(result.text).toContain(`Safety net: snapshot \`${name}\` of TestVM (qemu/100) taken first.`);
    expect(result.offers).toEqual([{ label: 'Roll back', command: `rollback TestVM ${name}` }]);
  });

  it('takes no snapshot when the request did not ask for it', async () => {
    const h = await startJobHarness({ speed: 50 });
    harness = h;
    await h.worker();
    const { jobId } = await h.queue.enqueue({
      kind: 'reboot',
      payload: { guest: guestOf(h.sim, 100) },
      thread: THREAD,
      requestedBy: 'alice',
    });
    const result = await h.result(jobId);
    expect(result.ok).toBe(true);
    expect(snapshotNames(h, 100)).toEqual([]);
    expect(result.offers).toBeUndefined();
  });

  it('stops before acting when PVE refuses the snapshot, saying why in PVE’s words', async () => {
    const h = await startJobHarness({ speed: 50 });
    harness = h;
    await h.worker();
    // A backup holds the guest's lock: PVE refuses the snapshot inside its task.
    h.sim.cluster.guest(100)!.lock = 'backup';
    const { jobId } = await h.queue.enqueue({
      kind: 'stop',
      payload: { guest: guestOf(h.sim, 100) },
      thread: THREAD,
      requestedBy: 'alice',
      command: 'stop',
      safetyNet: { snapshot: true },
    });
    const result = await h.result(jobId);
    expect(result.ok).toBe(false);
    expect(result.code).toBe('SAFETY_NET_FAILED');
    expect(result.error).toMatch(
      /could not snapshot TestVM \(qemu\/100\) before stop, so nothing else was done/,
    );
    expect(result.error).toContain('VM is locked (backup)');
    expect(firstIndex(h, 'POST', /^\/nodes\/node01\/qemu\/100\/status\/stop$/)).toBe(-1);
    expect(h.sim.cluster.guest(100)!.running).toBe(true);
  });

  it('snapshots every guest on a node before its reboot in a rolling upgrade, templates aside', async () => {
    const h = await startJobHarness({ speed: 50 });
    harness = h;
    await h.worker();
    const { jobId: planId } = await h.queue.enqueue({
      kind: 'upgrade-plan',
      payload: {
        nodes: ['node01'],
        reboot: 'always',
        dryRun: false,
        requester: REQUESTER,
        snapshotFirst: true,
      },
      thread: THREAD,
      requestedBy: 'alice',
    });
    const planned: ResultEvent = await h.result(planId);
    expect(planned.proposal?.snapshotFirst).toBe(true);
    const payload = planned.proposal!.payload as { plan: UpgradePlan };
    const onNode01 = h.sim.cluster
      .guests()
      .filter((g) => g.node === 'node01' && !g.template)
      .map((g) => g.vmid)
      .sort();
    expect(onNode01.length).toBeGreaterThan(0);
    const { jobId } = await h.queue.enqueue({
      kind: 'upgrade',
      payload: { ...payload, timings: FAST },
      thread: THREAD,
      requestedBy: 'alice',
      command: 'upgrade',
      safetyNet: { snapshot: true, keep: 3 },
    });
    const result = await h.result(jobId);
    expect(result.ok, result.error).toBe(true);
    const reboot = firstIndex(h, 'POST', /^\/nodes\/node01\/status$/, ['command', 'reboot']);
    expect(reboot).toBeGreaterThanOrEqual(0);
    for (const vmid of onNode01) {
      const names = snapshotNames(h, vmid);
      expect(names, `guest ${vmid}`).toHaveLength(1);
      expect(names[0]).toMatch(/^chatops-\d{8}-\d{6}-upgrade$/);
      const type = h.sim.cluster.guest(vmid)!.type;
      const taken = firstIndex(h, 'POST', new RegExp(`^/nodes/node01/${type}/${vmid}/snapshot$`));
      expect(taken, `guest ${vmid}`).toBeGreaterThanOrEqual(0);
      expect(taken, `guest ${vmid} before the reboot`).toBeLessThan(reboot);
    }
    // The template was not snapshotted (PVE refuses it).
    for (const template of h.sim.cluster.guests().filter((g) => g.template))
      expect(snapshotNames(h, template.vmid)).toEqual([]);
    expect(result.offers?.map((o) => o.command).sort()).toEqual(
      onNode01
        .map((vmid) => {
          const guest = h.sim.cluster.guest(vmid)!;
          return `rollback ${guest.name} ${snapshotNames(h, vmid)[0]}`;
        })
        .sort(),
    );
  });
});
