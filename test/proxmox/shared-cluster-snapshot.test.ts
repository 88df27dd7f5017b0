import { describe, expect, it } from 'vitest';
import { PveError } from '../../src/proxmox/pve-error.js';
import type { TimedClusterSnapshot } from '../../src/proxmox/read-cluster-snapshot.js';
import { SharedClusterSnapshot } from '../../src/proxmox/shared-cluster-snapshot.js';
import { useSimulatedCluster } from './helpers/simulated-cluster.js';

/** A read the test finishes by hand, and a clock it moves by hand. */
function controlledReads(clock: { now: number }) {
  const pending: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  let reads = 0;
  const read = () =>
    new Promise<TimedClusterSnapshot>((resolve, reject) => {
      reads += 1;
      const n = reads;
      pending.push({
        resolve: () =>
          resolve({
            resources: [],
            status: { clusterName: `read-${n}`, quorate: true, nodes: [] },
            readAt: clock.now,
          }),
        reject,
      });
    });
  return {
    read,
    reads: () => reads,
    /** Finishes the oldest read still under way. */
    finish: () => pending.shift()!.resolve(),
    fail: (error: Error) => pending.shift()!.reject(error),
  };
}

const nameOf = (snapshot: TimedClusterSnapshot) => snapshot.status.clusterName;

describe('a shared cluster snapshot', () => {
  it('gives every caller that asks while a read is under way that one read', async () => {
    const clock = { now: 1_000 };
    const reads = controlledReads(clock);
    const shared = new SharedClusterSnapshot({ read: reads.read, clock: () => clock.now });
    const callers = Array.from({ length: 50 }, () => shared.get());
    expect(reads.reads()).toBe(1);
    reads.finish();
    const answers = await Promise.all(callers);
    expect(new Set(answers.map(nameOf))).toEqual(new Set(['read-1']));
    expect(answers[0]!.readAt).toBe(1_000);
  });

  it('hands a finished read out again until it is maxAgeMs old, then reads again', async () => {
    const clock = { now: 1_000 };
    const reads = controlledReads(clock);
    const shared = new SharedClusterSnapshot({ read: reads.read, maxAgeMs: 2_000, clock: () => clock.now });
    const first = shared.get();
    reads.finish();
    expect(nameOf(await first)).toBe('read-1');
    clock.now = 2_999;
    expect(nameOf(await shared.get())).toBe('read-1');
    // A caller may ask for fresher data than the default bound.
    const fresher = shared.get({ maxAgeMs: 1_000 });
    expect(reads.reads()).toBe(2);
    reads.finish();
    expect(nameOf(await fresher)).toBe('read-2');
    expect((await fresher).readAt).toBe(2_999);
    clock.now = 4_999;
    const expired = shared.get();
    expect(reads.reads()).toBe(3);
    reads.finish();
    expect(nameOf(await expired)).toBe('read-3');
  });

  it('with maxAgeMs 0 shares only the read under way', async () => {
    const clock = { now: 1_000 };
    const reads = controlledReads(clock);
    const shared = new SharedClusterSnapshot({ read: reads.read, maxAgeMs: 0, clock: () => clock.now });
    const together = [shared.get(), shared.get()];
    reads.finish();
    expect((await Promise.all(together)).map(nameOf)).toEqual(['read-1', 'read-1']);
    const later = shared.get();
    expect(reads.reads()).toBe(2);
    reads.finish();
    expect(nameOf(await later)).toBe('read-2');
  });

  it('keeps no failed read: its waiters get the error, the next caller reads again', async () => {
    const clock = { now: 1_000 };
    const reads = controlledReads(clock);
    const shared = new SharedClusterSnapshot({ read: reads.read, clock: () => clock.now });
    const waiting = [shared.get(), shared.get()];
    reads.fail(new Error('node01 unreachable'));
    for (const outcome of await Promise.allSettled(waiting)) {
      expect(outcome).toMatchObject({ status: 'rejected', reason: { message: 'node01 unreachable' } });
    }
    const retry = shared.get();
    expect(reads.reads()).toBe(2);
    reads.finish();
    expect(nameOf(await retry)).toBe('read-2');
  });

  it('lets an aborted caller stop its own wait only; the read goes on for the others', async () => {
    const clock = { now: 1_000 };
    const reads = controlledReads(clock);
    const shared = new SharedClusterSnapshot({ read: reads.read, clock: () => clock.now });
    const leaving = new AbortController();
    const staying = new AbortController();
    const left = shared.get({ signal: leaving.signal });
    const stayed = shared.get({ signal: staying.signal });
    const plain = shared.get();
    leaving.abort(new Error('job cancelled'));
    await expect(left).rejects.toMatchObject({ code: 'PVE_ABORTED' });
    await expect(left).rejects.toBeInstanceOf(PveError);
    reads.finish();
    expect(nameOf(await stayed)).toBe('read-1');
    expect(nameOf(await plain)).toBe('read-1');
    expect(reads.reads()).toBe(1);
    // A signal aborted before the call: no wait, and no read started for it.
    await expect(shared.get({ signal: leaving.signal, maxAgeMs: 0 })).rejects.toMatchObject({
      code: 'PVE_ABORTED',
    });
    expect(reads.reads()).toBe(1);
  });

  it('after invalidate() reads again, without handing out or keeping what was read before', async () => {
    const clock = { now: 1_000 };
    const reads = controlledReads(clock);
    const shared = new SharedClusterSnapshot({ read: reads.read, clock: () => clock.now });
    const first = shared.get();
    reads.finish();
    await first;
    shared.invalidate();
    // Well within the bound, yet read again.
    const next = shared.get();
    expect(reads.reads()).toBe(2);
    const underWay = shared.get();
    shared.invalidate();
    // Asked after the change: does not join the read begun before it.
    const during = shared.get();
    expect(reads.reads()).toBe(3);
    reads.finish();
    reads.finish();
    // Those who asked before the change get the read they waited for.
    expect((await Promise.all([next, underWay])).map(nameOf)).toEqual(['read-2', 'read-2']);
    expect(nameOf(await during)).toBe('read-3');
    // The read begun before the change is not the one kept.
    expect(nameOf(await shared.get())).toBe('read-3');
    expect(reads.reads()).toBe(3);
  });

  it('refuses a negative maximum age', () => {
    expect(() => new SharedClusterSnapshot({ read: controlledReads({ now: 0 }).read, maxAgeMs: -1 })).toThrow(
      /0 ms or more/,
    );
  });
});

describe('ProxmoxClient.recentClusterSnapshot over the simulator', () => {
  const cluster = useSimulatedCluster();
  const resourceReads = () => cluster.sim.requests.filter((r) => r.path === '/cluster/resources').length;

  it('makes one /cluster/resources read for many callers, and reads again after a write', async () => {
    // A bound no busy machine outlasts, so only the write can end the reuse here.
    const client = cluster.client({ clusterSnapshotMaxAgeMs: 600_000 });
    const before = resourceReads();
    const answers = await Promise.all(Array.from({ length: 40 }, () => client.recentClusterSnapshot()));
    expect(resourceReads() - before).toBe(1);
    expect(new Set(answers.map((a) => a.readAt)).size).toBe(1);
    expect(answers[0]!.status.clusterName).toBe('MonCluster');
    await client.recentClusterSnapshot();
    expect(resourceReads() - before).toBe(1);
    // A fresh read is always a read.
    await client.clusterSnapshot();
    expect(resourceReads() - before).toBe(2);
    // Starting a guest changes the cluster: the next status must not show it stopped.
    const upid = await client.start({ type: 'lxc', vmid: 201, node: 'node01' });
    const after = await client.recentClusterSnapshot();
    expect(resourceReads() - before).toBe(3);
    await client.waitForTask(upid);
    const settled = await client.recentClusterSnapshot();
    expect(resourceReads() - before).toBe(4);
    expect(settled.resources.find((r) => r.type === 'lxc' && r.vmid === 201)).toMatchObject({
      status: 'running',
    });
    expect(settled.readAt).toBeGreaterThanOrEqual(after.readAt);
    await client.waitForTask(await client.stop({ type: 'lxc', vmid: 201, node: 'node01' }));
  });
});
