// "The client must never send a request that real PVE would refuse." Every method of the client is
// driven against the simulator, and every request the simulator received is checked again against
// the official schemas of BOTH PVE 9.1 and PVE 8.4. A client method that this scenario does not
// call fails the test, so a new method cannot skip the check.
import { describe, expect, it } from 'vitest';
import { ProxmoxClient } from '../../src/proxmox/proxmox-client.js';
import { isPveError, PveErrorCode } from '../../src/proxmox/pve-error.js';
import type { GuestResource } from '../../src/proxmox/schemas/cluster-schemas.js';
import { loadApiSchema } from '../../src/sim/server/api-schema.js';
import { checkRequestAgainstSchema } from '../../src/sim/server/validate-params.js';
import { loadFixtures } from '../conformance/pve/load-fixtures.js';
import { FAST_POLL, useSimulatedCluster } from './helpers/simulated-cluster.js';

const cluster = useSimulatedCluster();

/** Records which client methods a scenario used. */
function tracked(client: ProxmoxClient): { client: ProxmoxClient; used: Set<string> } {
  const used = new Set<string>();
  const proxy = new Proxy(client, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      used.add(String(property));
      return value.bind(target);
    },
  });
  return { client: proxy, used };
}

async function expectPveError(promise: Promise<unknown>, code: string): Promise<void> {
  await expect(promise).rejects.toSatisfy((error) => isPveError(error) && error.code === code);
}

// Endpoints that exist only in PVE 9.x; on 8.4 they answer 501 and the client copes
// (test/proxmox/plan-migration.test.ts covers the 501 path).
// The HA rules too: 8.4 places by HA groups (test/proxmox/ha-rules-api.test.ts covers the 501).
const ONLY_IN_9 = new Set([
  'GET /nodes/{node}/lxc/{vmid}/migrate',
  'GET /cluster/ha/rules',
  'POST /cluster/ha/rules',
  'DELETE /cluster/ha/rules/{rule}',
]);

describe('every request the client can make', () => {
  it('passes the official PVE 9.1 and 8.4 schema checks', async () => {
    const { client, used } = tracked(cluster.client());
    const poll = { pollInterval: FAST_POLL };
    const guest = async (name: string): Promise<GuestResource> => {
      const [found] = await client.findGuests(name);
      if (!found) throw new Error(`no guest ${name}`);
      return found;
    };

    // Reads.
    await client.version();
    await client.clusterResources();
    await client.clusterResources('vm');
    await client.clusterResources('node');
    await client.clusterResources('storage');
    await client.clusterStatus();
    await client.clusterSnapshot();
    await client.recentClusterSnapshot();
    await client.nodes();
    await client.nodeStatus('node02');
    await client.nextId();
    await expectPveError(client.nextId(100), PveErrorCode.VmidExists);
    await client.clusterTasks();
    expect((await client.joinInfo()).nodelist.map((n) => n.name)).toEqual(['node01', 'node02', 'node03']);
    await client.nodeTime('node02');
    await client.nodeCertificates('node03');
    await client.haStatus();
    await client.replicationJobs();
    await client.nodeReplicationStatus('node03');
    // files01 (103, local ZFS on node03) gets a second job, to node02, which then runs now.
    await client.createReplicationJob({ id: '103-1', target: 'node02', schedule: '*/30' });
    await client.scheduleReplicationNow('node03', '103-0');
    expect((await client.replicationLog('node03', '103-0', { start: 0, limit: 0 })).length).toBeGreaterThan(
      0,
    );
    const testVm = await guest('testvm');
    const ctProxy = await guest('ct-proxy01');
    await client.guestStatus(testVm);
    await client.guestStatus(ctProxy);
    await client.migratePrecondition(testVm, 'node02');
    await client.migratePrecondition(ctProxy, 'node02');
    // HA resources: add TestVM as it is (running, so the CRM changes nothing), list, remove.
    await client.addHaResource('vm:100', 'started');
    expect((await client.haResources()).map((r) => r.sid)).toContain('vm:100');
    // HA placement: a rule of each type over HA resources (TestVM and web01), listed, deleted.
    await client.createHaRule({
      rule: 'testvm-prefers-01',
      type: 'node-affinity',
      resources: ['vm:100'],
      nodes: [{ node: 'node01', priority: 2 }, { node: 'node02' }],
      strict: false,
      comment: 'conformance',
    });
    await client.createHaRule({
      rule: 'apart',
      type: 'resource-affinity',
      resources: ['vm:100', 'vm:101'],
      affinity: 'negative',
      disable: true,
    });
    expect((await client.haRules()).map((r) => r.rule)).toEqual(['testvm-prefers-01', 'apart']);
    await expect(client.haGroups()).rejects.toMatchObject({ statusCode: 500 });
    await client.deleteHaRule('apart');
    await client.deleteHaRule('testvm-prefers-01');
    await client.removeHaResource('vm:100');

    // Power, on both guest types.
    await client.waitForTask(await client.start(ctProxy), poll);
    await client.waitForTask(await client.shutdown(ctProxy, { timeout: 30, forceStop: true }), poll);
    await client.waitForTask(await client.reboot(testVm), poll);
    await client.waitForTask(await client.shutdown(testVm), poll);
    await client.waitForTask(await client.start(testVm), poll);
    await client.waitForTask(await client.stop(await guest('ct-dns01')), poll);
    await client.waitForTask(await client.power(await guest('ct-dns01'), 'start'), poll);

    // Snapshots (taken, listed, read, rolled back to, deleted) and a backup to the PBS storage.
    await client.waitForTask(
      await client.createSnapshot(testVm, { name: 'conformance', description: 'before the test' }),
      poll,
    );
    expect((await client.snapshots(testVm)).snapshots.map((s) => s.name)).toEqual(['conformance']);
    await client.snapshots(ctProxy);
    await client.snapshotConfig(testVm, 'conformance');
    await client.guestConfig(testVm);
    await client.waitForTask(await client.rollbackSnapshot(testVm, 'conformance', { start: true }), poll);
    await client.waitForTask(await client.deleteSnapshot(testVm, 'conformance'), poll);
    const backup = await client.startBackup('node01', {
      vmids: [100],
      storage: 'pbs-backup',
      mode: 'snapshot',
      notesTemplate: '{{guestname}}',
    });
    if (!('upid' in backup)) throw new Error('TestVM is on node01: vzdump should have started a task');
    await client.waitForTask(backup.upid, poll);
    expect((await client.backups('node01', 'pbs-backup', 100)).length).toBeGreaterThan(0);
    await client.backupJobs();
    await client.notBackedUp();
    await client.nodeTasks('node01', { typefilter: 'vzdump', limit: 50 });

    // Clones: QEMU (name) and LXC (hostname), with and without a chosen id.
    const template = await guest('debian12-tmpl');
    const qemuClone = await client.clone(template, { name: 'web02', full: true, pool: 'test' });
    await client.waitForTask(qemuClone.upid, poll);
    const lxcClone = await client.clone(ctProxy, { name: 'ct-proxy02', newid: 250, description: 'copy' });
    await client.waitForTask(lxcClone.upid, poll);

    // Migrations: live, with local disks, container restart, HA-managed, and the step-by-step API.
    await client.migrate(testVm, 'node03', poll);
    await client.migrate(await guest('db01'), 'node03', poll);
    await client.migrate(await guest('ct-dns01'), 'node02', poll);
    const web01 = await guest('web01');
    await client.migrate(web01, 'node03', { ...poll, hastate: web01.hastate });
    // The HA one step by step: the hamigrate request, then the HA stack's own migration followed.
    const haPlan = await client.planMigration(await guest('web01'), 'node02');
    const haUpid = await client.startMigration(haPlan);
    await client.waitForTask(haUpid, poll);
    await client.followHaMigration(haPlan.guest, 'node02', { haUpid, pollInterval: FAST_POLL });
    const plan = await client.planMigration(await guest('testvm'), 'node01');
    const upid = await client.startMigration(plan);
    await client.taskStatus(upid);
    await client.taskLog(upid);
    await client.waitForMigration(plan, upid, poll);

    // Stopping a running task.
    const long = await client.startMigration(await client.planMigration(await guest('testvm'), 'node02'));
    await client.stopTask(long);
    await expectPveError(client.waitForTask(long, poll), PveErrorCode.TaskFailed);

    // A new VM as the guide makes TestVM, on an image storage of the node.
    const [images] = await client.nodeStorages('node02', 'images');
    await client.waitForTask(
      await client.createVm('node02', {
        vmid: await client.nextId(),
        name: 'new-vm',
        memoryMiB: 2048,
        cores: 2,
        storage: images!.storage,
        diskGiB: 32,
        start: true,
      }),
      poll,
    );

    // PVE's notifications: a webhook target and a matcher created, read, updated (with the
    // digest), the target list and the matcher fields; the test notification to the built-in
    // sendmail target (test/sim/notifications.test.ts sends webhook tests to a receiver).
    await client.createWebhookEndpoint({
      name: 'conformance',
      url: 'https://127.0.0.1:1/pve/notifications',
      method: 'post',
      headers: [{ name: 'Content-Type', value: 'application/json' }],
      body: '{"title": {{ json title }} }',
      secrets: [{ name: 'token', value: 'conformance-secret-0123456789' }],
      comment: 'conformance',
    });
    expect((await client.webhookEndpoints()).map((w) => w.secret)).toEqual([['name=token']]);
    const webhook = await client.webhookEndpoint('conformance');
    await client.updateWebhookEndpoint('conformance', {
      url: 'https://127.0.0.1:1/pve/notifications',
      secrets: [{ name: 'token' }],
      delete: ['comment'],
      ...(webhook.digest === undefined ? {} : { digest: webhook.digest }),
    });
    await client.createNotificationMatcher({
      name: 'conformance-matcher',
      target: ['conformance'],
      matchSeverity: ['warning,error'],
      matchField: ['exact:type=vzdump,replication'],
      mode: 'all',
    });
    const matcher = await client.notificationMatcher('conformance-matcher');
    await client.updateNotificationMatcher('conformance-matcher', {
      matchSeverity: ['error'],
      invertMatch: false,
      ...(matcher.digest === undefined ? {} : { digest: matcher.digest }),
    });
    expect((await client.notificationMatchers()).map((m) => m.name)).toEqual([
      'default-matcher',
      'conformance-matcher',
    ]);
    expect((await client.notificationTargets()).map((t) => t.name)).toEqual(['mail-to-root', 'conformance']);
    await client.testNotificationTarget('mail-to-root');
    expect(await client.notificationMatcherFields()).toEqual(['type', 'hostname', 'job-id']);
    expect((await client.notificationMatcherFieldValues()).length).toBeGreaterThan(5);

    // Users, groups, ACLs and what a user may do (the policy's identities).
    await client.createGroup({ groupid: 'conformance', comment: 'conformance' });
    await client.createUser({ userid: 'conformance@pve', groups: ['conformance'], comment: 'conformance' });
    await client.updateAcl({ path: '/vms/100', roles: ['PVEVMUser'], users: ['conformance@pve'] });
    await client.updateAcl({
      path: '/vms',
      roles: ['PVEAuditor'],
      groups: ['conformance'],
      propagate: false,
    });
    expect((await client.users()).map((u) => u.userid)).toContain('conformance@pve');
    expect((await client.groups()).map((g) => g.groupid)).toContain('conformance');
    expect((await client.acl()).filter((a) => a.ugid === 'conformance@pve').map((a) => a.roleid)).toEqual([
      'PVEVMUser',
    ]);
    expect(await client.permissionsOf('conformance@pve', '/vms/100')).toMatchObject({ 'VM.PowerMgmt': true });
    expect(Object.keys(await client.permissions({ userid: 'conformance@pve' }))).toContain('/vms/100');
    expect((await client.roles()).find((r) => r.roleid === 'PVEVMAdmin')?.privs).toContain('VM.Migrate');

    // Package updates, and a node reboot last (the node goes away for a while).
    await client.waitForTask(await client.refreshPackageLists('node02'), poll);
    expect((await client.pendingUpdates('node02')).length).toBeGreaterThan(0);
    expect((await client.packageVersions('node02')).some((p) => p.Package === 'pve-manager')).toBe(true);
    await client.nodePower('node03', 'reboot');

    // Every public method of the client was exercised (close() runs after the file).
    const methods = Object.getOwnPropertyNames(ProxmoxClient.prototype).filter(
      (name) => name !== 'constructor' && name !== 'close',
    );
    expect(methods.filter((name) => !used.has(name))).toEqual([]);

    // Every request the simulator saw, checked again against both official schemas.
    const requests = cluster.sim.requests;
    expect(requests.length).toBeGreaterThan(40);
    const schemas = [loadApiSchema('9.1'), loadApiSchema('8.4')] as const;
    const refused: string[] = [];
    for (const request of requests) {
      for (const schema of schemas) {
        const check = checkRequestAgainstSchema(schema, request.method, request.path, request.rawParams);
        if (check.ok) continue;
        const endpoint = `${request.method} ${check.template ?? request.path}`;
        if (
          schema === schemas[1] &&
          check.status === 501 &&
          ONLY_IN_9.has(`${request.method} ${request.template}`)
        ) {
          continue;
        }
        refused.push(`PVE ${schema.version}: ${endpoint} ${JSON.stringify(check.errors ?? check.message)}`);
      }
    }
    expect(refused).toEqual([]);
    // Every endpoint the client called has a real PVE answer in the conformance corpus
    // (test/conformance/pve): a new endpoint needs its evidence before it ships.
    const corpus = new Set(loadFixtures().map((fixture) => fixture.endpoint));
    const called = new Set(
      requests.map((request) => `${request.method} ${request.template ?? request.path}`),
    );
    expect([...called].filter((endpoint) => !corpus.has(endpoint)).sort()).toEqual([]);
    // And the simulator refused none with a 400, but for the deliberately taken vmid.
    expect(requests.filter((r) => r.status === 400 && r.path !== '/cluster/nextid')).toEqual([]);
  });
});
