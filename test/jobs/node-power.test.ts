// `/pve node reboot|shutdown`: refused up front when it would cost quorum or strand guests, and
// the job that reboots once and waits for the node and the quorum.
import { afterEach, describe, expect, it } from 'vitest';
import { planNodePower } from '../../src/core/commands/node.js';
import { ProxmoxClient } from '../../src/proxmox/proxmox-client.js';
import { parsedArgs } from '../core/helpers/parsed-args.js';
import { type JobHarness, startJobHarness, THREAD } from './helpers/job-harness.js';

let harness: JobHarness | undefined;
let client: ProxmoxClient | undefined;
afterEach(async () => {
  await client?.close();
  client = undefined;
  await harness?.stop();
  harness = undefined;
});

async function snapshotOf(h: JobHarness) {
  client ??= new ProxmoxClient({
    hosts: h.sim.hosts,
    tokenId: h.sim.tokenId,
    tokenSecret: h.sim.tokenSecret,
    fingerprints: h.sim.fingerprints,
  });
  return client.clusterSnapshot();
}

describe('planning a node reboot or shutdown', () => {
  it('refuses to strand guests that are not HA-managed, unless forced, and says which', async () => {
    const h = await startJobHarness();
    harness = h;
    const snapshot = await snapshotOf(h);
    expect(planNodePower(parsedArgs('node', 'node reboot node02'), snapshot)).toEqual({
      ok: false,
      message:
        'db01 (qemu/102) runs on node02 without HA and would go down with it. Migrate it first, or add `--force`.',
    });
    const forced = planNodePower(parsedArgs('node', 'node reboot node02 --force'), snapshot);
    expect(forced).toMatchObject({
      ok: true,
      plan: {
        kind: 'node-power',
        payload: { node: 'node02', action: 'reboot' },
        text: 'reboot node node02 (FORCED: db01 (qemu/102) will stop; 1 HA guest(s) handled by the HA stack)',
      },
    });
  });

  it('refuses what would cost quorum, even forced', async () => {
    const h = await startJobHarness();
    harness = h;
    await h.sim.faults.nodeDown('node03');
    const snapshot = await snapshotOf(h);
    const result = planNodePower(parsedArgs('node', 'node shutdown node01 --force'), snapshot);
    expect(result).toEqual({
      ok: false,
      message:
        'Shutting down node01 would cost the cluster its quorum: 1 of 3 votes would be left, 2 are needed. Bring the offline nodes back first (`cluster` shows them).',
    });
  });
});

describe('the node-power job', () => {
  it('reboots the node once and reports when it is back and the cluster quorate', async () => {
    const h = await startJobHarness({ speed: 50 });
    harness = h;
    await h.worker();
    const bootedBefore = h.sim.cluster.node('node03').bootedAt;
    const { jobId } = await h.queue.enqueue({
      kind: 'node-power',
      payload: { node: 'node03', action: 'reboot', pollMs: 100 },
      thread: THREAD,
      requestedBy: 'alice',
    });
    const result = await h.result(jobId);
    expect(result).toMatchObject({
      ok: true,
      summary: 'node03 rebooted and is back; the cluster is quorate',
    });
    expect(h.sim.cluster.node('node03').bootedAt).toBeGreaterThan(bootedBefore);
    const reboots = h.sim.requests.filter(
      (r) => r.method === 'POST' && r.path === '/nodes/node03/status' && r.rawParams.command === 'reboot',
    );
    expect(reboots).toHaveLength(1);
  });
});
