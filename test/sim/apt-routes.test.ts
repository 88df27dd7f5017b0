import { afterEach, describe, expect, it } from 'vitest';
import { createCluster } from '../../src/sim/cluster/create-cluster.js';
import type { SimCluster } from '../../src/sim/cluster/sim-cluster.js';
import { apiFor } from './cluster-test-kit.js';

let cluster: SimCluster;
afterEach(() => cluster?.close());

type Entry = Record<string, unknown>;

describe('apt versions', () => {
  it('reports the candidate as Version and the installed one as OldVersion, for every package', async () => {
    cluster = createCluster({ speed: 200 });
    const api = apiFor(cluster);
    const versions = (await api.call('GET', '/nodes/{node}/apt/versions', { node: 'node01' })) as Entry[];
    const node = cluster.node('node01');
    const installed = versions.filter((v) => v.CurrentState === 'Installed');
    expect(installed).toHaveLength(node.installed.size);
    const byName = new Map(versions.map((v) => [v.Package, v]));
    // pve-manager has an update pending: the candidate is the new version.
    const pending = node.pendingUpdates.find((u) => u.Package === 'pve-manager');
    expect(pending).toBeDefined();
    expect(byName.get('pve-manager')).toMatchObject({
      Version: pending?.Version,
      OldVersion: node.installed.get('pve-manager'),
      CurrentState: 'Installed',
    });
    // Without an update, the candidate is the installed version, and OldVersion is still there.
    expect(node.pendingUpdates.some((u) => u.Package === 'corosync')).toBe(false);
    expect(byName.get('corosync')).toMatchObject({
      Version: node.installed.get('corosync'),
      OldVersion: node.installed.get('corosync'),
    });
    for (const entry of installed) expect(entry.OldVersion).toBe(node.installed.get(String(entry.Package)));
    // ManagerVersion is version_text(): the version and the build's repoid.
    expect(byName.get('pve-manager')?.ManagerVersion).toBe(`${node.managerVersion}/5829c814947b3364`);
    // A package of the fixed list that is not installed: its candidate, NotInstalled, no OldVersion.
    const missing = versions.filter((v) => v.CurrentState !== 'Installed');
    expect(missing.map((v) => v.Package)).toEqual(['ceph-fuse']);
    expect(missing[0]).not.toHaveProperty('OldVersion');
    expect(missing[0]).toMatchObject({ CurrentState: 'NotInstalled', Version: '19.2.3-pve2' });
  });
});
