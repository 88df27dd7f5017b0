import { describe, expect, it } from 'vitest';
import { planMigration } from '../../src/proxmox/plan-migration.js';
import { PveError } from '../../src/proxmox/pve-error.js';
import type { PveTransport } from '../../src/proxmox/pve-transport.js';

/** A transport answering fixed data per path, to reach cases the 9.1 simulator does not serve. */
function fixedTransport(answers: Record<string, unknown>): PveTransport {
  return {
    hosts: ['https://127.0.0.1:8006'],
    close: async () => {},
    request: async (method, path, options) => {
      const answer = answers[`${method} ${path}`];
      if (answer instanceof Error) throw answer;
      if (answer === undefined) throw new Error(`unexpected ${method} ${path}`);
      return options.schema.parse(answer);
    },
  };
}

describe('planMigration', () => {
  it('handles the LXC precondition GET missing on PVE 8.4 (501) from the guest status', async () => {
    const transport = fixedTransport({
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

  it('reads HA management from status/current and chooses online and local-disk flags', async () => {
    const transport = fixedTransport({
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
});
