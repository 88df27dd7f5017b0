import { describe, expect, it } from 'vitest';
import { planMigration } from '../../src/proxmox/plan-migration.js';
import { PveError } from '../../src/proxmox/pve-error.js';
import { fixedTransport } from './helpers/fixed-transport.js';

const statusOf = (offline: string[] = []) => [
  { type: 'cluster', id: 'cluster', name: 'MonCluster', nodes: 3, version: 5, quorate: 1 },
  ...['node01', 'node02', 'node03'].map((name, i) => ({
    type: 'node',
    id: `node/${name}`,
    name,
    nodeid: i + 1,
    local: i === 0 ? 1 : 0,
    online: offline.includes(name) ? 0 : 1,
  })),
];

describe('planMigration', () => {
  it('handles the LXC precondition GET missing on PVE 8.4 (501) from the guest status', async () => {
    const transport = fixedTransport({
      'GET /cluster/status': statusOf(),
      'GET /nodes/node03/lxc/200/status/current': { status: 'running', ha: { managed: 0 } },
      'GET /nodes/node03/lxc/200/migrate': new PveError({
        code: 'PVE_NOT_IMPLEMENTED',
        message: "Method 'GET /nodes/node03/lxc/200/migrate' not implemented",
        statusCode: 501,
      }),
    });
    const plan = await planMigration(transport, { type: 'lxc', vmid: 200, node: 'node03' }, 'node01');
    expect(plan).toMatchObject({ running: true, restart: true, online: false, haManaged: false });
    expect(plan.params).toEqual({ target: 'node01', restart: true });
  });

  it('refuses early with the reasons when the target is not allowed', async () => {
    const transport = fixedTransport({
      'GET /cluster/status': statusOf(),
      'GET /nodes/node02/qemu/102/status/current': {
        status: 'running',
        ha: { managed: 1, state: 'started' },
      },
      'GET /nodes/node02/qemu/102/migrate': {
        running: 1,
        allowed_nodes: ['node01'],
        not_allowed_nodes: {
          node03: {
            unavailable_storages: ['local-zfs'],
            'blocking-ha-resources': [{ sid: 'vm:104', cause: 'resource-affinity' }],
          },
        },
        local_disks: [{ volid: 'local-lvm:vm-102-disk-0', size: 1 }],
      },
    });
    const error = await planMigration(transport, { type: 'qemu', vmid: 102, node: 'node02' }, 'node03').catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'PVE_MIGRATION_BLOCKED', vmid: 102 });
    expect((error as Error).message).toContain('local-zfs');
    expect((error as Error).message).toContain('vm:104');
  });

  // Real PVE (qemu-server migrate_vm_precondition, 8.x and 9.x) lists every other node under
  // not_allowed_nodes, the allowed ones with an empty object: an entry alone refuses nothing.
  const realShape = (notAllowed: Record<string, unknown>, allowed?: string[]) =>
    fixedTransport({
      'GET /cluster/status': statusOf(),
      'GET /nodes/node01/qemu/100/status/current': { status: 'running', ha: { managed: 0 } },
      'GET /nodes/node01/qemu/100/migrate': {
        running: 1,
        ...(allowed ? { allowed_nodes: allowed } : {}),
        not_allowed_nodes: notAllowed,
        local_disks: [],
        local_resources: [],
        'mapped-resources': [],
        'mapped-resource-info': {},
        'has-dbus-vmstate': 1,
      },
    });
  const testVm = { type: 'qemu' as const, vmid: 100, node: 'node01' };

  it('migrates to a node PVE allows although it is listed with an empty entry', async () => {
    const transport = realShape({ node02: {}, node03: {} }, ['node02', 'node03']);
    const plan = await planMigration(transport, testVm, 'node03');
    expect(plan.params).toEqual({ target: 'node03', online: true });
  });

  it('refuses a node PVE leaves out of allowed_nodes with the reason its entry holds', async () => {
    const transport = realShape({ node02: {}, node03: { unavailable_storages: ['local-zfs'] } }, ['node02']);
    await expect(planMigration(transport, testVm, 'node03')).rejects.toThrow(
      /storage not available on the target: local-zfs/,
    );
    await expect(planMigration(transport, testVm, 'node02')).resolves.toMatchObject({ target: 'node02' });
  });

  it('refuses, naming the endpoint and the field, for a refusal it does not understand', async () => {
    const transport = realShape({ node02: {}, node03: { 'new-blocker': ['x'] } }, ['node02']);
    await expect(planMigration(transport, testVm, 'node03')).rejects.toThrow(
      'GET /nodes/node01/qemu/100/migrate refuses node03 for not_allowed_nodes.node03.new-blocker',
    );
  });

  it('refuses a node that is not in the cluster at all', async () => {
    const transport = realShape({ node02: {}, node03: {} }, ['node02', 'node03']);
    await expect(planMigration(transport, testVm, 'node09')).rejects.toThrow(
      /node09 is not among the nodes PVE allows \(node02, node03\)/,
    );
  });

  it('reads an answer without allowed_nodes by its entries alone', async () => {
    const transport = realShape({ node02: {}, node03: { unavailable_storages: ['local-zfs'] } });
    await expect(planMigration(transport, testVm, 'node02')).resolves.toMatchObject({ target: 'node02' });
    await expect(planMigration(transport, testVm, 'node03')).rejects.toThrow(/local-zfs/);
  });

  it('reads HA management from status/current and chooses online and local-disk flags', async () => {
    const transport = fixedTransport({
      'GET /cluster/status': statusOf(),
      'GET /nodes/node02/qemu/102/status/current': { status: 'running', ha: { managed: 1 } },
      'GET /nodes/node02/qemu/102/migrate': {
        running: true,
        allowed_nodes: ['node01'],
        not_allowed_nodes: {},
        local_disks: [{ volid: 'local-lvm:vm-102-disk-0' }],
      },
    });
    const plan = await planMigration(transport, { type: 'qemu', vmid: 102, node: 'node02' }, 'node01');
    expect(plan).toMatchObject({
      haManaged: true,
      online: true,
      withLocalDisks: true,
      localDisks: ['local-lvm:vm-102-disk-0'],
    });
  });

  it('refuses an offline target with one GET /cluster/status, before reading the guest', async () => {
    const transport = fixedTransport({ 'GET /cluster/status': statusOf(['node03']) });
    const error = await planMigration(transport, { type: 'qemu', vmid: 100, node: 'node01' }, 'node03').catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({
      code: 'PVE_MIGRATION_BLOCKED',
      vmid: 100,
      reasons: ['target node offline'],
    });
    expect(transport.calls).toEqual(['GET /cluster/status']);
  });

  it('skips the online check when the token may not read /cluster/status', async () => {
    const transport = fixedTransport({
      'GET /cluster/status': new PveError({
        code: 'PVE_PERMISSION',
        message: 'Permission check failed (/, Sys.Audit)',
        statusCode: 403,
      }),
      'GET /nodes/node01/qemu/100/status/current': { status: 'stopped', ha: { managed: 0 } },
      'GET /nodes/node01/qemu/100/migrate': { running: 0, allowed_nodes: ['node02'], not_allowed_nodes: {} },
    });
    const plan = await planMigration(transport, { type: 'qemu', vmid: 100, node: 'node01' }, 'node02');
    expect(plan).toMatchObject({ running: false, online: false });
  });

  it('treats an ignored HA resource as not HA-managed', async () => {
    const transport = fixedTransport({
      'GET /cluster/status': statusOf(),
      'GET /nodes/node01/qemu/100/status/current': { status: 'running', ha: { managed: 0 } },
      'GET /nodes/node01/qemu/100/migrate': { running: 1, allowed_nodes: ['node02'], not_allowed_nodes: {} },
    });
    const guest = { type: 'qemu', vmid: 100, node: 'node01' } as const;
    expect(await planMigration(transport, guest, 'node02', { hastate: 'ignored' })).toMatchObject({
      haManaged: false,
    });
    expect(await planMigration(transport, guest, 'node02', { hastate: 'started' })).toMatchObject({
      haManaged: true,
    });
  });

  describe('local resources and CD-ROMs', () => {
    const vm = { type: 'qemu', vmid: 110, node: 'node01' } as const;
    const transportWith = (running: boolean, pre: Record<string, unknown>) =>
      fixedTransport({
        'GET /cluster/status': statusOf(),
        'GET /nodes/node01/qemu/110/status/current': { status: running ? 'running' : 'stopped' },
        'GET /nodes/node01/qemu/110/migrate': {
          running: running ? 1 : 0,
          allowed_nodes: ['node02'],
          not_allowed_nodes: {},
          ...pre,
        },
      });

    it('refuses a running VM with local devices, naming them', async () => {
      const transport = transportWith(true, { local_resources: ['hostpci0', 'usb0'], local_disks: [] });
      const error = await planMigration(transport, vm, 'node02').catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'PVE_MIGRATION_BLOCKED', vmid: 110 });
      expect((error as { reasons: string[] }).reasons).toEqual([
        'the running VM uses local devices: hostpci0, usb0',
      ]);
    });

    it('lets a stopped VM with local devices be planned (offline)', async () => {
      const transport = transportWith(false, { local_resources: ['hostpci0'], local_disks: [] });
      expect(await planMigration(transport, vm, 'node02')).toMatchObject({ running: false, online: false });
    });

    it('refuses a local ISO in a CD-ROM drive, running or not', async () => {
      const local_disks = [{ volid: 'local:iso/debian-12.iso', cdrom: 1, is_attached: 1, size: 1 }];
      for (const running of [true, false]) {
        const error = await planMigration(transportWith(running, { local_disks }), vm, 'node02').catch(
          (e: unknown) => e,
        );
        expect(error).toMatchObject({
          code: 'PVE_MIGRATION_BLOCKED',
          reasons: ['local CD-ROM image attached: local:iso/debian-12.iso'],
        });
      }
    });

    it('accepts a cloud-init drive and keeps CD-ROMs and unused volumes out of localDisks', async () => {
      const transport = transportWith(true, {
        local_disks: [
          { volid: 'local-lvm:vm-110-disk-0', size: 1, is_attached: 1 },
          { volid: 'local-lvm:vm-110-cloudinit', cdrom: 1, is_attached: 1 },
          { volid: 'local-lvm:vm-110-disk-1', is_unused: 1 },
        ],
        local_resources: [],
      });
      const plan = await planMigration(transport, vm, 'node02');
      expect(plan).toMatchObject({ withLocalDisks: true, localDisks: ['local-lvm:vm-110-disk-0'] });
    });
  });
});
