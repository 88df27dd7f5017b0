// The client against a PVE 8.4 cluster (the simulator's 8.4 mode): what differs from 9.x is
// exercised (the HA rules answer 501 and placement falls back to the HA groups, containers migrate
// after the precondition GET 8.4 lacks answered 501, HA resources carry a group), the rest of the client
// runs as on 9.1, and every request the simulator received passes the official PVE 8.4 schema
// (test/proxmox/schema-conformance.test.ts does the same on 9.1, against both schemas).
import { describe, expect, it } from 'vitest';
import { DEFAULT_BALANCE_SETTINGS } from '../../src/config/balance-settings.js';
import { readBalanceInput } from '../../src/jobs/balance/read-balance-input.js';
import type { KindState } from '../../src/jobs/kind-state.js';
import { isPveError, PveErrorCode } from '../../src/proxmox/pve-error.js';
import type { GuestResource } from '../../src/proxmox/schemas/cluster-schemas.js';
import { loadApiSchema } from '../../src/sim/server/api-schema.js';
import { checkRequestAgainstSchema } from '../../src/sim/server/validate-params.js';
import { FAST_POLL, useSimulatedCluster } from './helpers/simulated-cluster.js';

const cluster = useSimulatedCluster({ pveVersion: '8.4' });
const state: KindState = { get: async () => undefined, set: async () => {} };

async function expectPveError(promise: Promise<unknown>, code: string): Promise<void> {
  await expect(promise).rejects.toSatisfy((error) => isPveError(error) && error.code === code);
}

describe('the client against a PVE 8.4 cluster', () => {
  it('reads, places by HA groups, migrates and sends only what the 8.4 schema accepts', async () => {
    const client = cluster.client();
    const poll = { pollInterval: FAST_POLL };
    const guest = async (name: string): Promise<GuestResource> => {
      const [found] = await client.findGuests(name);
      if (!found) throw new Error(`no guest ${name}`);
      return found;
    };

    // Reads: the 8.4 answers (sdn entries, no memhost, ha.group) parse.
    expect(await client.version()).toMatchObject({ release: '8.4' });
    expect((await client.clusterResources()).length).toBeGreaterThan(10);
    await client.clusterResources('vm');
    await client.clusterResources('node');
    await client.clusterResources('storage');
    await client.clusterStatus();
    await client.nodes();
    await client.nodeStatus('node02');
    await client.clusterTasks();
    await client.haStatus();
    const web01 = await guest('web01');
    expect(web01.hastate).toBe('started');
    await client.guestStatus(web01);
    await client.guestStatus(await guest('testvm'));
    await client.guestStatus(await guest('ct-proxy01'));

    // HA placement: no rules on 8.4 (501), the groups instead; the balance read falls back to them.
    await expectPveError(client.haRules(), PveErrorCode.UnknownEndpoint);
    await expectPveError(
      client.createHaRule({
        rule: 'r',
        type: 'node-affinity',
        resources: ['vm:101'],
        nodes: [{ node: 'node01' }],
      }),
      PveErrorCode.UnknownEndpoint,
    );
    expect((await client.haGroups()).map((group) => group.group)).toEqual(['prefer-node02']);
    expect((await client.haResources()).find((r) => r.sid === 'vm:101')).toMatchObject({
      group: 'prefer-node02',
    });
    const input = await readBalanceInput(
      { pve: client, state, signal: new AbortController().signal },
      DEFAULT_BALANCE_SETTINGS,
    );
    expect(input.ha).toEqual([
      {
        name: 'HA group prefer-node02',
        kind: 'node-affinity',
        sids: ['vm:101'],
        nodes: [
          { node: 'node02', priority: 2 },
          { node: 'node03', priority: 0 },
        ],
      },
    ]);
    await client.addHaResource('vm:100', 'started');
    expect((await client.haResources()).map((r) => r.sid)).toContain('vm:100');
    await client.removeHaResource('vm:100');

    // Migrations: live, with a local disk, a container (its precondition GET answers 501), HA-managed.
    await client.migrate(await guest('testvm'), 'node03', poll);
    await client.migrate(await guest('db01'), 'node03', poll);
    const ct = await guest('ct-dns01');
    const plan = await client.planMigration(ct, 'node02');
    expect(plan.guest.vmid).toBe(200);
    await client.migrate(ct, 'node02', poll);
    await client.migrate(web01, 'node03', { ...poll, hastate: web01.hastate });
    expect((await guest('web01')).node).toBe('node03');

    const requests = cluster.sim.requests;
    // The container's precondition GET and the rules were refused (501) and the client went on.
    expect(requests.filter((r) => r.status === 501).map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /cluster/ha/rules',
      'POST /cluster/ha/rules',
      'GET /cluster/ha/rules',
      'GET /nodes/node03/lxc/200/migrate',
      'GET /nodes/node03/lxc/200/migrate',
    ]);
    const schema = loadApiSchema('8.4');
    const refused: string[] = [];
    for (const request of requests.filter((r) => r.status !== 501)) {
      const check = checkRequestAgainstSchema(schema, request.method, request.path, request.rawParams);
      if (!check.ok)
        refused.push(`${request.method} ${request.path} ${JSON.stringify(check.errors ?? check.message)}`);
    }
    expect(refused).toEqual([]);
    expect(requests.filter((r) => r.status === 400)).toEqual([]);
  });
});
