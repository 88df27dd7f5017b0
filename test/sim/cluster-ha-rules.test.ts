// HA rules (PVE 9.x /cluster/ha/rules) and groups, over real HTTPS with the ProxmoxClient, and the
// resource purge at the domain level.
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isPveError, PveErrorCode } from '../../src/proxmox/pve-error.js';
import { createCluster } from '../../src/sim/cluster/create-cluster.js';
import type { SimCluster } from '../../src/sim/cluster/sim-cluster.js';
import { useSimulatedCluster } from '../proxmox/helpers/simulated-cluster.js';
import { apiFor } from './cluster-test-kit.js';

const sim = useSimulatedCluster();
const rawEntries = z.array(z.record(z.string(), z.unknown()));
const rawEntry = z.record(z.string(), z.unknown());

async function pveErrorOf(
  promise: Promise<unknown>,
): Promise<{ code: string; message: string; statusCode?: number }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isPveError(error)) throw new Error(`expected a PveError, got ${String(error)}`);
  return error;
}

describe('HA rules over HTTPS', () => {
  it('creates, lists, filters, reads and deletes rules as PVE 9 renders them', async () => {
    const client = sim.client();
    // What the client does not read (raw entries, filters, one rule by name) goes straight to the API.
    const api = sim.transport();
    // web01 (vm:101) is HA-managed from the start; db01 and TestVM join, as they run.
    await client.addHaResource('vm:102', 'started');
    await client.addHaResource('vm:100', 'started');
    expect(await client.haRules()).toEqual([]);
    // PVE 9.x (pve-ha-manager 5.0.2+) refuses to list the groups once they are migrated.
    await expect(client.haGroups()).rejects.toMatchObject({
      statusCode: 500,
      message: 'cannot index groups: ha groups have been migrated to rules',
    });

    await client.createHaRule({
      rule: 'web-prefers-01',
      type: 'node-affinity',
      resources: ['vm:101'],
      nodes: [{ node: 'node02' }, { node: 'node01', priority: 2 }],
      strict: true,
      comment: 'close to the proxy',
    });
    await client.createHaRule({
      rule: 'db-apart',
      type: 'resource-affinity',
      resources: ['vm:102', 'vm:101', 'vm:100'],
      affinity: 'negative',
      disable: false,
    });

    const rules = await client.haRules();
    expect(rules.map((r) => r.rule)).toEqual(['web-prefers-01', 'db-apart']);
    expect(rules[0]).toMatchObject({
      type: 'node-affinity',
      resources: ['vm:101'],
      nodes: [
        { node: 'node01', priority: 2 },
        { node: 'node02', priority: 0 },
      ],
      strict: true,
      comment: 'close to the proxy',
    });
    expect(rules[1]).toMatchObject({
      type: 'resource-affinity',
      resources: ['vm:100', 'vm:101', 'vm:102'],
      affinity: 'negative',
    });
    expect(rules[1]?.disable).toBeUndefined();
    expect(rules[1]?.errors).toBeUndefined();

    // The raw entries, as PVE's API writes them: sorted comma lists, 0/1, the file's digest.
    const raw = await api.request('GET', '/cluster/ha/rules', { schema: rawEntries });
    expect(raw[0]).toMatchObject({
      rule: 'web-prefers-01',
      resources: 'vm:101',
      nodes: 'node01:2,node02',
      strict: 1,
      order: 1,
    });
    expect(raw[1]).toMatchObject({ resources: 'vm:100,vm:101,vm:102', affinity: 'negative', order: 2 });
    expect(raw[1]).not.toHaveProperty('disable');
    expect(raw[1]).not.toHaveProperty('nodes');
    expect(raw[0]?.digest).toMatch(/^[0-9a-f]{40}$/);
    expect(raw[1]?.digest).toBe(raw[0]?.digest);

    // Filters: by type, by resource.
    const names = async (params: Record<string, string>) =>
      (await api.request('GET', '/cluster/ha/rules', { params, schema: rawEntries })).map((r) => r.rule);
    expect(await names({ type: 'resource-affinity' })).toEqual(['db-apart']);
    expect(await names({ type: 'node-affinity' })).toEqual(['web-prefers-01']);
    expect(await names({ resource: 'vm:102' })).toEqual(['db-apart']);
    expect(await names({ resource: 'vm:101' })).toEqual(['web-prefers-01', 'db-apart']);
    expect(await names({ resource: 'ct:200' })).toEqual([]);

    const one = await api.request('GET', '/cluster/ha/rules/db-apart', { schema: rawEntry });
    expect(one).toMatchObject({ rule: 'db-apart', type: 'resource-affinity', affinity: 'negative' });

    // A disabled rule says so.
    await client.createHaRule({
      rule: 'paused',
      type: 'node-affinity',
      resources: ['vm:100'],
      nodes: [{ node: 'node03' }],
      disable: true,
    });
    expect((await client.haRules()).find((r) => r.rule === 'paused')).toMatchObject({ disable: true });

    await client.deleteHaRule('db-apart');
    await client.deleteHaRule('paused');
    expect((await client.haRules()).map((r) => r.rule)).toEqual(['web-prefers-01']);
    // PVE deletes without looking: an unknown rule is no error.
    await client.deleteHaRule('db-apart');
    const gone = await pveErrorOf(api.request('GET', '/cluster/ha/rules/db-apart', { schema: rawEntry }));
    expect(gone).toMatchObject({
      code: PveErrorCode.ServerError,
      statusCode: 500,
      message: "no such ha rule 'db-apart'",
    });
    await client.deleteHaRule('web-prefers-01');
    expect(await client.haRules()).toEqual([]);
  });

  it("refuses what PVE refuses, in PVE's words", async () => {
    const client = sim.client();
    await client.createHaRule({
      rule: 'taken',
      type: 'node-affinity',
      resources: ['vm:101'],
      nodes: [{ node: 'node03' }],
    });
    const refused = (rule: Parameters<typeof client.createHaRule>[0]) =>
      pveErrorOf(client.createHaRule(rule));

    expect(
      await refused({
        rule: 'taken',
        type: 'node-affinity',
        resources: ['vm:101'],
        nodes: [{ node: 'node03' }],
      }),
    ).toMatchObject({
      code: PveErrorCode.ServerError,
      statusCode: 500,
      message: "create ha rule failed: HA rule 'taken' already defined",
    });
    // files01 (103) and ct-proxy01 (201) exist but are not HA-managed; 999 does not exist at all.
    expect(
      (
        await refused({
          rule: 'unmanaged',
          type: 'resource-affinity',
          resources: ['vm:103', 'ct:201', 'vm:101'],
          affinity: 'positive',
        })
      ).message,
    ).toBe('create ha rule failed: cannot use unmanaged resource(s) ct:201, vm:103.');
    expect(
      (
        await refused({
          rule: 'ghost',
          type: 'node-affinity',
          resources: ['vm:999'],
          nodes: [{ node: 'node01' }],
        })
      ).message,
    ).toContain('cannot use unmanaged resource(s) vm:999.');
    expect(
      (
        await refused({
          rule: 'far',
          type: 'node-affinity',
          resources: ['vm:101'],
          nodes: [{ node: 'node09' }, { node: 'node01' }],
        })
      ).message,
    ).toBe('create ha rule failed: cannot use non-existent node(s) node09.');
    // Infeasible: PVE's 400 exception stringified into the lock's 500.
    const solo = await refused({
      rule: 'solo',
      type: 'resource-affinity',
      resources: ['vm:101'],
      affinity: 'positive',
    });
    expect(solo).toMatchObject({
      statusCode: 500,
      message:
        "create ha rule failed: 400 Rule 'solo' is invalid.\nresources: rule is ineffective as there are less than two resources",
    });
    // A resource already placed by another node-affinity rule.
    expect(
      (
        await refused({
          rule: 'twice',
          type: 'node-affinity',
          resources: ['vm:101'],
          nodes: [{ node: 'node02' }],
        })
      ).message,
    ).toContain("resources: resource 'vm:101' is already used in another node affinity rule");
    // Options of the other type, or a missing required one (SectionConfig check_config).
    expect(
      (await refused({ rule: 'half', type: 'resource-affinity', resources: ['vm:101', 'vm:100'] })).message,
    ).toBe("missing value for required option 'affinity'");
    expect((await refused({ rule: 'nonodes', type: 'node-affinity', resources: ['vm:101'] })).message).toBe(
      "missing value for required option 'nodes'",
    );
    expect(
      (
        await refused({
          rule: 'mixed',
          type: 'node-affinity',
          resources: ['vm:101'],
          nodes: [{ node: 'node01' }],
          affinity: 'positive',
        })
      ).message,
    ).toBe("unexpected property 'affinity'");
    // The schema's formats: a 400 before any handler runs.
    const format = await refused({
      rule: 'bad-sid',
      type: 'node-affinity',
      resources: ['100'],
      nodes: [{ node: 'node01' }],
    });
    expect(format).toMatchObject({ code: PveErrorCode.Parameter, statusCode: 400 });
    expect(format.message).toContain(
      'resources: invalid format - value does not look like a valid ha resource id',
    );
    expect(
      await refused({
        rule: '1st',
        type: 'node-affinity',
        resources: ['vm:101'],
        nodes: [{ node: 'node01' }],
      }),
    ).toMatchObject({
      code: PveErrorCode.Parameter,
    });

    // Nothing of that was written.
    expect((await client.haRules()).map((r) => r.rule)).toEqual(['taken']);
    await client.deleteHaRule('taken');
  });
});

describe('HA rules in the cluster model', () => {
  let cluster: SimCluster;
  afterEach(() => cluster?.close());

  it('starts without rules, and removing a resource purges it from the rules by default', async () => {
    cluster = createCluster({ speed: 200 });
    expect(cluster.ha.rules.list()).toEqual([]);
    const scaled = createCluster({ nodes: 5, guests: 40 });
    expect(scaled.ha.rules.list()).toEqual([]);
    scaled.close();
    const api = apiFor(cluster);
    await api.call('POST', '/cluster/ha/resources', { sid: 'vm:102' });
    await api.call('POST', '/cluster/ha/resources', { sid: 'vm:100' });
    await api.call('POST', '/cluster/ha/rules', {
      rule: 'together',
      type: 'resource-affinity',
      resources: 'vm:101,vm:102',
      affinity: 'positive',
    });
    await api.call('POST', '/cluster/ha/rules', {
      rule: 'only-100',
      type: 'node-affinity',
      resources: 'vm:100',
      nodes: 'node01',
    });
    const before = (await api.call('GET', '/cluster/ha/rules')) as Record<string, unknown>[];

    // purge=0 keeps vm:100 in its rule; the default purge drops vm:102 and the emptied rule.
    await api.call('DELETE', '/cluster/ha/resources/{sid}', { sid: 'vm:100', purge: false });
    expect(cluster.ha.rules.get('only-100')?.resources).toEqual(['vm:100']);
    await api.call('POST', '/cluster/ha/resources', { sid: 'vm:100' });
    await api.call('DELETE', '/cluster/ha/resources/{sid}', { sid: 'vm:100' });
    expect(cluster.ha.rules.get('only-100')).toBeUndefined();
    await api.call('DELETE', '/cluster/ha/resources/{sid}', { sid: 'vm:102' });

    // The rule left with one resource is infeasible now: PVE lists it with its errors.
    const after = (await api.call('GET', '/cluster/ha/rules')) as Record<string, unknown>[];
    expect(after).toEqual([
      expect.objectContaining({
        rule: 'together',
        resources: 'vm:101',
        errors: { resources: ['rule is ineffective as there are less than two resources'] },
      }),
    ]);
    expect(after[0]?.digest).not.toBe(before[0]?.digest);
  });

  it('refuses writes without quorum', async () => {
    cluster = createCluster({ speed: 200 });
    const api = apiFor(cluster);
    await api.call('POST', '/cluster/ha/resources', { sid: 'vm:102' });
    await api.call('POST', '/cluster/ha/rules', {
      rule: 'apart',
      type: 'resource-affinity',
      resources: 'vm:101,vm:102',
      affinity: 'negative',
    });
    cluster.setNodeOnline('node02', false);
    cluster.setNodeOnline('node03', false);
    await expect(
      api.call('POST', '/cluster/ha/rules', {
        rule: 'x',
        type: 'node-affinity',
        resources: 'vm:101',
        nodes: 'node01',
      }),
    ).rejects.toMatchObject({ status: 500, message: 'cluster not ready - no quorum?' });
    await expect(api.call('DELETE', '/cluster/ha/rules/{rule}', { rule: 'apart' })).rejects.toMatchObject({
      status: 500,
      message: "delete ha rule failed: cfs-lock 'domain-ha' error: no quorum!",
    });
    expect(((await api.call('GET', '/cluster/ha/rules')) as unknown[]).length).toBe(1);
  });
});
