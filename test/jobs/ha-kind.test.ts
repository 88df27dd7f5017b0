// `/pve ha`: the HA stack at a glance, and `ha add` / `ha remove` through the planner and jobs.
import { afterEach, describe, expect, it } from 'vitest';
import { planHa } from '../../src/core/commands/ha.js';
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

async function run(h: JobHarness, kind: string, payload: unknown) {
  const { jobId } = await h.queue.enqueue({ kind, payload, thread: THREAD, requestedBy: 'alice' });
  return h.result(jobId);
}

describe('/pve ha', () => {
  it('shows the CRM master, each LRM and every HA resource with its state and node', async () => {
    const h = await startJobHarness();
    harness = h;
    await h.worker();
    const result = await run(h, 'ha', {});
    expect(result.ok).toBe(true);
    expect(result.summary).toMatch(/^HA: master node0\d, 1 resource \(1 started\)$/);
    expect(result.text).toMatch(/^CRM master: node0\d \(active\)$/m);
    expect(result.text).toContain('LRM node02: active');
    expect(result.text).toContain('LRM node01: idle');
    expect(result.text).toContain('LRM node03: idle');
    expect(result.text).toContain('web01 (qemu/101) vm:101: started on node02');
    expect(result.text).toContain('Nodes in maintenance: none');
  });
});

describe('/pve ha add and remove', () => {
  it('adds TestVM to HA, then removes it, each job waiting for the HA stack', async () => {
    const h = await startJobHarness();
    harness = h;
    await h.worker();
    const planned = planHa(parsedArgs('ha', 'ha add testvm'), await snapshotOf(h));
    expect(planned).toEqual({
      ok: true,
      plan: {
        kind: 'ha-add',
        payload: {
          guest: { vmid: 100, type: 'qemu', node: 'node01', name: 'TestVM' },
          sid: 'vm:100',
          state: 'started',
        },
        text: expect.stringMatching(/^add TestVM \(qemu\/100\) on node01 to HA as vm:100, state started \(/),
      },
    });
    if (!planned.ok) return;
    const added = await run(h, 'ha-add', { ...planned.plan.payload, pollMs: 50 });
    expect(added).toMatchObject({
      ok: true,
      summary: 'TestVM (qemu/100) is HA-managed as vm:100: started on node01',
    });
    const shown = await run(h, 'ha', {});
    expect(shown.text).toContain('TestVM (qemu/100) vm:100: started on node01');

    const removal = planHa(parsedArgs('ha', 'ha remove 100'), await snapshotOf(h));
    expect(removal).toMatchObject({ ok: true, plan: { kind: 'ha-remove', payload: { sid: 'vm:100' } } });
    if (!removal.ok) return;
    const removed = await run(h, 'ha-remove', { ...removal.plan.payload, pollMs: 50 });
    expect(removed).toMatchObject({
      ok: true,
      summary: expect.stringMatching(/^TestVM \(qemu\/100\) is no longer HA-managed/),
    });
    expect((await run(h, 'ha', {})).text).not.toContain('vm:100');
  });

  it('refuses to add a guest already managed, and to remove one that is not', async () => {
    const h = await startJobHarness();
    harness = h;
    const snapshot = await snapshotOf(h);
    expect(planHa(parsedArgs('ha', 'ha add web01'), snapshot)).toEqual({
      ok: false,
      message: expect.stringMatching(/^web01 \(qemu\/101\) is already HA-managed \(vm:101, started\)/),
    });
    expect(planHa(parsedArgs('ha', 'ha remove TestVM'), snapshot)).toEqual({
      ok: false,
      message:
        'TestVM (qemu/100) is not HA-managed: there is nothing to remove. `ha` lists the HA resources.',
    });
    expect(planHa(parsedArgs('ha', 'ha add nosuchvm'), snapshot).ok).toBe(false);
  });
});
