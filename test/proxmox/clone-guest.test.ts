import { describe, expect, it } from 'vitest';
import { parseUpid } from '../../src/proxmox/parse-upid.js';
import { ProxmoxClient } from '../../src/proxmox/proxmox-client.js';
import type { PveTransport } from '../../src/proxmox/pve-transport.js';
import { FAST_POLL, useSimulatedCluster } from './helpers/simulated-cluster.js';

const cluster = useSimulatedCluster();
const template = { type: 'qemu', vmid: 9000, node: 'node01' } as const;

describe('clone', () => {
  it('clones a template to the next free id with its name, full', async () => {
    const client = cluster.client();
    const expected = await client.nextId();
    const { upid, newid } = await client.clone(template, { name: 'web02', full: true });
    expect(newid).toBe(expected);
    expect(parseUpid(upid)).toMatchObject({ type: 'qmclone', id: '9000' });
    const sent = cluster.sim.requests.findLast((r) => r.path === '/nodes/node01/qemu/9000/clone');
    expect(sent?.rawParams).toEqual({ newid: String(newid), name: 'web02', full: '1' });
    await client.waitForTask(upid, { pollInterval: FAST_POLL });
    expect(await client.findGuests('web02')).toEqual([
      expect.objectContaining({ vmid: newid, node: 'node01' }),
    ]);
  });

  it('names a container clone with hostname, not name', async () => {
    const client = cluster.client();
    const { upid, newid } = await client.clone(
      { type: 'lxc', vmid: 201, node: 'node01' },
      { name: 'ct-proxy02' },
    );
    const sent = cluster.sim.requests.findLast((r) => r.path === '/nodes/node01/lxc/201/clone');
    expect(sent?.rawParams).toEqual({ newid: String(newid), hostname: 'ct-proxy02' });
    await client.waitForTask(upid, { pollInterval: FAST_POLL });
    expect((await client.findGuests('ct-proxy02'))[0]).toMatchObject({ type: 'lxc', vmid: newid });
  });

  it('retries with a fresh id when the one from nextid was taken meanwhile', async () => {
    const real = cluster.transport();
    let nextidCalls = 0;
    // Another caller "took" the id: the first nextid answer is an id that already exists.
    const racing: PveTransport = {
      hosts: real.hosts,
      close: () => real.close(),
      request: (method, path, options) => {
        if (path === '/cluster/nextid' && nextidCalls++ === 0) return Promise.resolve(100 as never);
        return real.request(method, path, options);
      },
    };
    const client = new ProxmoxClient({ transport: racing });
    const { upid, newid } = await client.clone(template, { name: 'web03' });
    expect(nextidCalls).toBe(2);
    expect(newid).not.toBe(100);
    const refused = cluster.sim.requests.filter(
      (r) => r.path === '/nodes/node01/qemu/9000/clone' && r.rawParams.newid === '100',
    );
    expect(refused).toHaveLength(1);
    expect(refused[0]?.status).toBeGreaterThanOrEqual(400);
    await client.waitForTask(upid, { pollInterval: FAST_POLL });
  });

  it('does not replace an id the caller chose', async () => {
    const error = await cluster
      .client()
      .clone(template, { newid: 100, name: 'dup' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'PVE_VMID_EXISTS', vmid: 100 });
  });
});
