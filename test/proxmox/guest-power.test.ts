import { describe, expect, it } from 'vitest';
import { parseUpid } from '../../src/proxmox/parse-upid.js';
import { FAST_POLL, useSimulatedCluster } from './helpers/simulated-cluster.js';

const cluster = useSimulatedCluster();
const TestVM = { type: 'qemu', vmid: 100, node: 'node01' } as const;
const CtProxy = { type: 'lxc', vmid: 201, node: 'node01' } as const;
const CtDns = { type: 'lxc', vmid: 200, node: 'node03' } as const;

describe('guest power', () => {
  it('shuts down, starts and reboots a VM, each a task on the guest node', async () => {
    const client = cluster.client();
    const shutdown = await client.shutdown(TestVM, { timeout: 30 });
    expect(parseUpid(shutdown)).toMatchObject({
      node: 'node01',
      type: 'qmshutdown',
      id: '100',
      user: 'chatops@pve',
      tokenid: 'bot',
    });
    await client.waitForTask(shutdown, { pollInterval: FAST_POLL });
    expect((await client.guestStatus(TestVM)).status).toBe('stopped');

    const start = await client.start(TestVM);
    expect(parseUpid(start).type).toBe('qmstart');
    await client.waitForTask(start, { pollInterval: FAST_POLL });
    expect((await client.guestStatus(TestVM)).status).toBe('running');

    const reboot = await client.reboot(TestVM);
    expect(parseUpid(reboot).type).toBe('qmreboot');
    await client.waitForTask(reboot, { pollInterval: FAST_POLL });
  });

  it('starts and stops a container through the lxc paths', async () => {
    const client = cluster.client();
    const start = await client.start(CtProxy);
    expect(parseUpid(start).type).toBe('vzstart');
    await client.waitForTask(start, { pollInterval: FAST_POLL });
    const stop = await client.stop(CtProxy);
    expect(parseUpid(stop).type).toBe('vzstop');
    await client.waitForTask(stop, { pollInterval: FAST_POLL });
    expect((await client.guestStatus(CtProxy)).status).toBe('stopped');
  });

  it('gets a 500 before any task when starting a container that already runs', async () => {
    const error = await cluster
      .client()
      .start(CtDns)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'PVE_GUEST_STATE', statusCode: 500, vmid: 200 });
    expect((error as Error).message).toContain('CT 200 already running');
  });

  it('maps a locked guest to PVE_LOCKED with the lock name', async () => {
    const client = cluster.client();
    // A migration holds the `migrate` lock until it ends. The migrate precondition checks the
    // lock before anything else (500); qm stop only checks it inside its worker (a failed task).
    const upid = await client.startMigration(await client.planMigration(TestVM, 'node02'));
    const error = await client.planMigration(TestVM, 'node03').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'PVE_LOCKED', lock: 'migrate', statusCode: 500 });
    const stop = await client.stop(TestVM);
    await expect(client.waitForTask(stop, { pollInterval: FAST_POLL })).rejects.toMatchObject({
      code: 'PVE_TASK_FAILED',
      exitstatus: 'VM is locked (migrate)',
    });
    await client.waitForTask(upid, { pollInterval: FAST_POLL });
  });
});
