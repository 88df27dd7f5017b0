// `/pve create`: refused up front when the name is taken or the node is not there, placed on the
// roomiest node by default, and created once by the job, as the guide's TestVM.
import { afterEach, describe, expect, it } from 'vitest';
import { planCreate } from '../../src/core/commands/create.js';
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

describe('/pve create', () => {
  it('refuses a taken name or a node that is not there, and plans the guide’s defaults', async () => {
    const h = await startJobHarness();
    harness = h;
    client = new ProxmoxClient({
      hosts: h.sim.hosts,
      tokenId: h.sim.tokenId,
      tokenSecret: h.sim.tokenSecret,
      fingerprints: h.sim.fingerprints,
    });
    const snapshot = await client.clusterSnapshot();
    expect(planCreate(parsedArgs('create', 'create testvm'), snapshot)).toEqual({
      ok: false,
      message: 'A guest named testvm already exists: TestVM (qemu/100) on node01. Choose another name.',
    });
    expect(planCreate(parsedArgs('create', 'create web09 --node node09'), snapshot)).toMatchObject({
      ok: false,
    });
    expect(planCreate(parsedArgs('create', 'create web09 --node node02 --start'), snapshot)).toEqual({
      ok: true,
      plan: {
        kind: 'create',
        payload: { name: 'web09', node: 'node02', memoryMiB: 2048, cores: 2, diskGiB: 32, start: true },
        text: 'create VM web09 on node02: 2 cores, 2048 MiB, 32 GiB disk, then start it',
      },
    });
  });

  it('creates the VM with the next free id on a local image storage, and starts it when asked', async () => {
    const h = await startJobHarness({ speed: 50 });
    harness = h;
    await h.worker();
    const { jobId } = await h.queue.enqueue({
      kind: 'create',
      payload: { name: 'web09', node: 'node02', memoryMiB: 2048, cores: 2, diskGiB: 32, start: true },
      thread: THREAD,
      requestedBy: 'alice',
    });
    const result = await h.result(jobId);
    expect(result.ok).toBe(true);
    const vmid = result.details?.vmid as number;
    expect(result.summary).toMatch(
      new RegExp(
        `^Created web09 \\(qemu/${vmid}\\) on node02: 2 cores, 2048 MiB, 32 GiB on local-\\w+, running$`,
      ),
    );
    const guest = h.sim.cluster.guest(vmid);
    expect(guest).toMatchObject({ name: 'web09', node: 'node02', running: true });
    expect(h.sim.cluster.tasks.all().filter((t) => t.record.type === 'qmcreate')).toHaveLength(1);
  });
});
