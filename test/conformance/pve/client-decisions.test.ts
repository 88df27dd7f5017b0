// The client's decisions on real answers: a migration planned from PVE's own precondition,
// status and cluster answers (8.4 and 9.x), and PVE's error texts mapped to the codes the jobs
// branch on. Every answer here is a corpus fixture, served over HTTPS by the replay server.
import { describe, expect, it } from 'vitest';
import { newidTakenError } from '../../../src/proxmox/clone-guest.js';
import { isPveError, PveErrorCode } from '../../../src/proxmox/pve-error.js';
import { CLIENT_READERS } from './client-readers.js';
import type { Fixture } from './fixture-schema.js';
import { type LoadedFixture, loadFixtures } from './load-fixtures.js';
import { variablesOf } from './read-with-client.js';
import { useReplayClient } from './use-replay-client.js';

const corpus = new Map(loadFixtures().map((fixture) => [fixture.file, fixture]));
const context = useReplayClient();

function fixture(file: string): LoadedFixture {
  const found = corpus.get(file);
  if (!found) throw new Error(`no fixture ${file}`);
  return found;
}

/**
 * A real answer served for another request: another guest's path with the same situation, or
 * another `target` for the migrate precondition, which PVE does not read (qemu-server and
 * pve-container `migrate_vm_precondition` extract the parameter and never use it).
 */
function at(file: string, path?: string, params?: Fixture['request']['params']): Fixture {
  const real = fixture(file);
  return {
    ...real,
    request: {
      ...real.request,
      ...(path === undefined ? {} : { path }),
      ...(params === undefined ? {} : { params }),
    },
  };
}

const testVm = { type: 'qemu' as const, vmid: 100, node: 'node01' };
const db01 = { type: 'qemu' as const, vmid: 102, node: 'node02' };
const files01 = { type: 'qemu' as const, vmid: 103, node: 'node03' };

describe('/pve migrate on real answers', () => {
  it('live-migrates a running VM on shared storage to a node PVE 9 lists with {} (captured)', async () => {
    context.replay.use([
      fixture('cluster/status.8.json'),
      fixture('guests/qemu-status-current-running.9.json'),
      fixture('guests/qemu-migrate-precondition-running.9.json'),
      fixture('guests/qemu-migrate.9.json'),
    ]);
    const plan = await context.client.planMigration(testVm, 'node03');
    expect(plan).toMatchObject({ running: true, online: true, withLocalDisks: false, haManaged: false });
    expect(plan.params).toEqual({ target: 'node03', online: true });
    const upid = await context.client.startMigration(plan);
    expect(upid).toMatch(/^UPID:node01:[^:]+:[^:]+:[^:]+:qmigrate:100:/);
    expect(context.replay.requests.find((r) => r.method === 'POST')?.params).toEqual({
      target: 'node03',
      online: '1',
    });
  });

  it('does the same on PVE 8.4', async () => {
    context.replay.use([
      fixture('cluster/status.8.json'),
      fixture('guests/qemu-status-current-running.8.json'),
      fixture('guests/qemu-migrate-precondition-running.8.json'),
    ]);
    await expect(context.client.planMigration(testVm, 'node02')).resolves.toMatchObject({
      online: true,
      params: { target: 'node02', online: true },
    });
  });

  it('moves TestVM stopped, offline, to a node PVE 9 lists with {}', async () => {
    context.replay.use([
      fixture('cluster/status.8.json'),
      at('guests/qemu-status-current-stopped.9.json', '/nodes/node01/qemu/100/status/current'),
      fixture('guests/qemu-migrate-precondition-stopped.9.json'),
    ]);
    const plan = await context.client.planMigration(testVm, 'node03');
    expect(plan).toMatchObject({ running: false, online: false, withLocalDisks: false });
    expect(plan.params).toEqual({ target: 'node03' });
  });

  it.each(['9', '8'])('moves a stopped VM with its local disk offline (PVE %s)', async (version) => {
    context.replay.use([
      fixture('cluster/status.8.json'),
      fixture('guests/qemu-status-current-stopped.9.json'),
      fixture(`guests/qemu-migrate-precondition-stopped-local-disk.${version}.json`),
    ]);
    const plan = await context.client.planMigration(files01, 'node01');
    expect(plan).toMatchObject({ running: false, online: false, withLocalDisks: true });
    expect(plan.localDisks).toEqual(['local-zfs:vm-103-disk-0']);
    expect(plan.params).toEqual({ target: 'node01', 'with-local-disks': true });
  });

  it('live-migrates a running VM with local disks, leaving unused volumes and the cloud-init drive aside', async () => {
    context.replay.use([
      fixture('cluster/status.8.json'),
      at('guests/qemu-status-current-running.9.json', '/nodes/node02/qemu/102/status/current'),
      fixture('guests/qemu-migrate-precondition-local-disks-kinds.9.json'),
    ]);
    const plan = await context.client.planMigration(db01, 'node03');
    expect(plan.localDisks).toEqual(['local-lvm:vm-102-disk-0']);
    expect(plan.params).toEqual({ target: 'node03', online: true, 'with-local-disks': true });
  });

  it("refuses a node whose storage is missing, in PVE's words", async () => {
    context.replay.use([
      fixture('cluster/status.8.json'),
      at('guests/qemu-status-current-running.9.json', '/nodes/node02/qemu/102/status/current'),
      fixture('guests/qemu-migrate-precondition-storage-restricted.9.json'),
    ]);
    const error = await context.client.planMigration(db01, 'node03').catch((e: unknown) => e);
    expect(isPveError(error, PveErrorCode.MigrationBlocked)).toBe(true);
    expect((error as Error).message).toBe(
      'cannot migrate VM 102 to node03: storage not available on the target: nvme-data',
    );
    expect(context.replay.requests.some((r) => r.method === 'POST')).toBe(false);
  });

  it('refuses a local ISO, a host device and a missing device mapping', async () => {
    context.replay.use([
      fixture('cluster/status.8.json'),
      fixture('guests/qemu-status-current-running.9.json'),
      fixture('guests/qemu-migrate-precondition-local-iso.9.json'),
    ]);
    await expect(context.client.planMigration(testVm, 'node02')).rejects.toThrow(
      'local CD-ROM image attached: local:iso/debian-13.1.0-amd64-netinst.iso',
    );
    context.replay.use([
      fixture('cluster/status.8.json'),
      fixture('guests/qemu-status-current-running.9.json'),
      at('guests/qemu-migrate-precondition-local-resources.9.json', undefined, { target: 'node03' }),
    ]);
    await expect(context.client.planMigration(testVm, 'node03')).rejects.toThrow(
      'resources not available on the target: hostpci1; the running VM uses local devices: hostpci0, hostpci1',
    );
  });

  it('follows HA rules: the allowed node goes, the blocked one is refused with the blocking resource', async () => {
    const answers = [
      fixture('cluster/status.8.json'),
      fixture('guests/qemu-status-current-ha-managed.9.json'),
      fixture('guests/qemu-migrate-precondition-ha.9.json'),
      at('guests/qemu-migrate-precondition-ha.9.json', undefined, { target: 'node03' }),
    ];
    context.replay.use(answers);
    const web01 = { type: 'qemu' as const, vmid: 101, node: 'node02' };
    await expect(context.client.planMigration(web01, 'node01')).resolves.toMatchObject({
      haManaged: true,
      online: true,
    });
    await expect(context.client.planMigration(web01, 'node03')).rejects.toThrow(
      'blocked by HA rules with: vm:103 (resource-affinity)',
    );
  });

  it('restart-migrates a running CT on PVE 9, and on PVE 8.4 without its precondition (501)', async () => {
    const ct = { type: 'lxc' as const, vmid: 200, node: 'node03' };
    for (const precondition of [
      'guests/lxc-migrate-precondition-running.9.json',
      'guests/lxc-migrate-precondition.8.json',
    ]) {
      context.replay.use([
        fixture('cluster/status.8.json'),
        fixture('guests/lxc-status-current-running.9.json'),
        fixture(precondition),
      ]);
      await expect(context.client.planMigration(ct, 'node01')).resolves.toMatchObject({
        restart: true,
        params: { target: 'node01', restart: true },
      });
    }
  });
});

describe("PVE's error answers become the codes the jobs branch on", () => {
  const expected: Array<[string, string]> = [
    ['guests/qemu-clone-newid-exists-same-node.9.json', PveErrorCode.VmidExists],
    ['guests/lxc-clone-newid-exists.9.json', PveErrorCode.VmidExists],
    ['cluster/nextid-vmid-exists.9.json', PveErrorCode.VmidExists],
    ['guests/qemu-reboot-wrong-node.9.json', PveErrorCode.GuestNotOnNode],
    ['guests/qemu-status-current-wrong-node.9.json', PveErrorCode.GuestNotOnNode],
    ['guests/qemu-migrate-precondition-locked.9.json', PveErrorCode.Locked],
    ['guests/qemu-migrate-locked.9.json', PveErrorCode.Locked],
    ['guests/lxc-start-already-running.9.json', PveErrorCode.GuestState],
    ['guests/lxc-reboot-not-running.9.json', PveErrorCode.GuestState],
    ['guests/qemu-reboot-not-running.9.json', PveErrorCode.GuestState],
    ['guests/qemu-migrate-target-local.9.json', PveErrorCode.Parameter],
    ['cluster/error-401-unknown-token.9.json', PveErrorCode.AuthFailed],
    ['cluster/error-401-unknown-token.8.json', PveErrorCode.AuthFailed],
    ['nodes/error-595-node-offline.9.json', PveErrorCode.NodeUnreachable],
    ['nodes/error-403-apt-update.9.json', PveErrorCode.Permission],
    ['guests/lxc-migrate-precondition.8.json', PveErrorCode.UnknownEndpoint],
  ];
  it.each(expected)('%s → %s', async (file, code) => {
    // Read by the client call that sends the request, as in client-replay.test.ts.
    const real = fixture(file);
    context.replay.use([real]);
    const reader = CLIENT_READERS[real.endpoint];
    if (!reader) throw new Error(`no reader for ${real.endpoint}`);
    const variables = variablesOf(real.request.path);
    const error = await reader(context.client, variables, real.request.params ?? {}).catch((e: unknown) => e);
    expect(isPveError(error) ? error.code : error).toBe(code);
  });
});

describe('a clone whose new id exists on another node', () => {
  it('fails inside the task, which the clone job reports as the id being taken', async () => {
    const status = fixture('tasks/task-status-clone-newid-other-node.9.json');
    context.replay.use([status, fixture('tasks/task-log-clone-newid-other-node.9.json')]);
    const upid = (status.response.body as { data: { upid: string } }).data.upid;
    const error = await context.client
      .waitForTask(upid, { pollInterval: { initialMs: 1, maxMs: 1 } })
      .catch((e: unknown) => e);
    expect(isPveError(error, PveErrorCode.TaskFailed)).toBe(true);
    const mapped = newidTakenError(error);
    expect(mapped).toMatchObject({ code: PveErrorCode.VmidExists, vmid: 101 });
    expect((mapped as Error).message).toContain('VM 101 already exists on another node');
  });
});
