// The simulator as a PVE 8.4 cluster: the endpoints 8.4 lacks, HA groups instead of rules, and
// the same cluster otherwise. The answers' shapes are checked against the corpus's `.8.json`
// fixtures (test/conformance/pve/simulator-shape.test.ts); this file checks the behaviour.
import { afterEach, describe, expect, it } from 'vitest';
import { createCluster } from '../../src/sim/cluster/create-cluster.js';
import { pveRelease } from '../../src/sim/cluster/pve-release.js';
import type { SimCluster } from '../../src/sim/cluster/sim-cluster.js';
import { loadApiSchema, methodSchema } from '../../src/sim/server/api-schema.js';
import { apiFor, waitFor } from './cluster-test-kit.js';

let cluster: SimCluster;
afterEach(() => cluster?.close());

type Entry = Record<string, unknown>;

describe('the PVE releases the simulator models', () => {
  it('lists as missing on 8.4 exactly the shipped 9.1 endpoints the 8.4 schema lacks', () => {
    const [v84, v91] = [loadApiSchema('8.4'), loadApiSchema('9.1')];
    const onlyIn91 = Object.entries(v91.endpoints).flatMap(([template, methods]) =>
      Object.keys(methods)
        .filter((method) => !methodSchema(v84, template, method))
        .map((method) => `${method} ${template}`),
    );
    expect([...pveRelease('8.4').missingEndpoints].sort()).toEqual(onlyIn91.sort());
    expect(pveRelease('9.1').missingEndpoints).toEqual([]);
    expect(() => pveRelease('7.4' as '8.4')).toThrow("got '7.4'");
  });

  it('runs pve-manager 8.4 on an 8.4 cluster and 9.1 by default', async () => {
    cluster = createCluster({ speed: 200, pveVersion: '8.4' });
    const api = apiFor(cluster);
    expect(await api.call('GET', '/version')).toEqual({
      version: '8.4.21',
      release: '8.4',
      repoid: '2606ac850d46da29',
    });
    const status = (await api.call('GET', '/nodes/{node}/status', { node: 'node01' })) as Entry;
    expect(status.pveversion).toBe('pve-manager/8.4.21/2606ac850d46da29');
    expect(status.kversion).toMatch(/^Linux 6\.8\.12-15-pve /);
    cluster.close();
    cluster = createCluster({ speed: 200 });
    expect(await apiFor(cluster).call('GET', '/version')).toMatchObject({ release: '9.1' });
  });

  it('serves no HA rules on 8.4 but the HA groups, and web01 is in one', async () => {
    cluster = createCluster({ speed: 200, pveVersion: '8.4' });
    const api = apiFor(cluster);
    await expect(api.call('GET', '/cluster/ha/rules')).rejects.toThrow('no handler');
    await expect(
      api.call('GET', '/nodes/{node}/lxc/{vmid}/migrate', { node: 'node03', vmid: 200 }),
    ).rejects.toThrow('no handler');
    const [group] = (await api.call('GET', '/cluster/ha/groups')) as Entry[];
    expect(group).toMatchObject({
      group: 'prefer-node02',
      type: 'group',
      nodes: 'node02:2,node03',
      nofailback: 1,
    });
    expect(group?.digest).toMatch(/^[0-9a-f]{40}$/);
    const [web01] = (await api.call('GET', '/cluster/ha/resources')) as Entry[];
    expect(web01).toMatchObject({ sid: 'vm:101', state: 'started', group: 'prefer-node02' });
    expect(web01).not.toHaveProperty('failback');
    const vm = (await api.call('GET', '/nodes/{node}/qemu/{vmid}/status/current', {
      node: 'node02',
      vmid: 101,
    })) as Entry;
    expect(vm.ha).toEqual({ managed: 1, group: 'prefer-node02', state: 'started' });
    expect(vm).not.toHaveProperty('memhost');
    const ha = (await api.call('GET', '/cluster/ha/status/current')) as Entry[];
    expect(ha.map((entry) => entry.type)).not.toContain('fencing');
    expect(ha.find((entry) => entry.id === 'lrm:node02')?.status).toMatch(/^node02 \(active, \w{3} /);
    expect(ha.find((entry) => entry.id === 'service:vm:101')).toMatchObject({ group: 'prefer-node02' });
  });

  it('creates groups and puts resources in them; an unknown group is refused', async () => {
    cluster = createCluster({ speed: 200, pveVersion: '8.4' });
    const api = apiFor(cluster);
    await api.call('POST', '/cluster/ha/groups', { group: 'only-01', nodes: 'node01', restricted: true });
    await expect(
      api.call('POST', '/cluster/ha/groups', { group: 'only-01', nodes: 'node02' }),
    ).rejects.toThrow("create ha group failed: ha group ID 'only-01' already defined");
    await api.call('POST', '/cluster/ha/resources', { sid: 'vm:100', group: 'only-01' });
    await expect(
      api.call('PUT', '/cluster/ha/resources/{sid}', { sid: 'vm:100', group: 'nope' }),
    ).rejects.toThrow("HA group 'nope' does not exist");
    const resources = (await api.call('GET', '/cluster/ha/resources')) as Entry[];
    expect(resources.find((entry) => entry.sid === 'vm:100')).toMatchObject({ group: 'only-01' });
    expect(((await api.call('GET', '/cluster/ha/groups')) as Entry[]).map((g) => g.group)).toEqual([
      'prefer-node02',
      'only-01',
    ]);
  });

  it('recovers an HA guest to the highest-priority online node of its group', async () => {
    cluster = createCluster({ speed: 400, pveVersion: '8.4' });
    // Without the group the CRM would pick node01 (as few HA services as node03, listed first).
    cluster.setNodeOnline('node02', false);
    await waitFor(
      () => cluster.haState(101) === 'started' && cluster.guest(101)?.node !== 'node02',
      'recovery of vm:101',
      10_000,
    );
    expect(cluster.guest(101)?.node).toBe('node03');
  });
});
