// What PVE 9.1 (pve-ha-manager 5.1.3+, pve-manager 9.1) answers for HA and replication, as the
// conformance corpus shows it (test/conformance/pve/fixtures/ha, …/replication): the HA status
// entries and their texts, raw resource sections, and pvesr's job state, log and schedule_now.
import { afterEach, describe, expect, it } from 'vitest';
import { createCluster } from '../../src/sim/cluster/create-cluster.js';
import type { SimCluster } from '../../src/sim/cluster/sim-cluster.js';
import { apiFor, waitFor } from './cluster-test-kit.js';

let cluster: SimCluster;
afterEach(() => cluster?.close());

type Entry = Record<string, unknown>;

describe('HA status and resources as PVE 9.1 answers them', () => {
  it('shows the fencing entry, watchdog words on every LRM and no LRM state key', async () => {
    cluster = createCluster({ speed: 200 });
    const api = apiFor(cluster);
    const status = (await api.call('GET', '/cluster/ha/status/current')) as Entry[];
    expect(status.map((e) => e.id)).toEqual([
      'quorum',
      'master',
      'fencing',
      'lrm:node01',
      'lrm:node02',
      'lrm:node03',
      'service:vm:101',
    ]);
    expect(status[2]).toEqual({
      id: 'fencing',
      type: 'fencing',
      node: 'node01',
      status: 'armed (CRM watchdog active)',
      'armed-state': 'armed',
    });
    const lrm = (node: string) => status.find((e) => e.id === `lrm:${node}`) as Entry;
    expect(lrm('node01').status).toMatch(
      /^node01 \(idle, watchdog standby, \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\)$/,
    );
    expect(lrm('node02').status).toMatch(/^node02 \(active, watchdog active, /);
    expect(Object.keys(lrm('node02')).sort()).toEqual(['id', 'node', 'status', 'timestamp', 'type']);
  });

  it('lists a resource the CRM has not taken up as queued, without crm_state, then starting', async () => {
    cluster = createCluster({ speed: 50 });
    const api = apiFor(cluster);
    await api.call('POST', '/cluster/ha/resources', { sid: 'ct:201', state: 'started' });
    const before = (await api.call('GET', '/cluster/ha/status/current')) as Entry[];
    const queued = before.find((e) => e.id === 'service:ct:201');
    expect(queued).toEqual({
      id: 'service:ct:201',
      type: 'service',
      sid: 'ct:201',
      node: 'node01',
      state: 'queued',
      status: 'ct:201 (node01, queued)',
      request_state: 'started',
      max_restart: 1,
      max_relocate: 1,
      failback: 1,
    });
    // The stopped CT: the CRM takes it up as stopped, requested started, so PVE says `starting`.
    await waitFor(() => cluster.ha.services.has('ct:201'), 'the CRM round');
    const after = (await api.call('GET', '/cluster/ha/status/current')) as Entry[];
    expect(after.find((e) => e.id === 'service:ct:201')).toMatchObject({ crm_state: expect.any(String) });
    expect(['starting', 'started']).toContain(after.find((e) => e.id === 'service:ct:201')?.state);
  });

  it('answers the raw resource sections, only the options that were set', async () => {
    cluster = createCluster({ speed: 200 });
    const api = apiFor(cluster);
    await api.call('POST', '/cluster/ha/resources', { sid: 'ct:200', state: 'started', max_restart: 2 });
    const resources = (await api.call('GET', '/cluster/ha/resources')) as Entry[];
    expect(resources).toEqual([
      { sid: 'vm:101', type: 'vm', state: 'started', digest: expect.stringMatching(/^[0-9a-f]{40}$/) },
      {
        sid: 'ct:200',
        type: 'ct',
        state: 'started',
        max_restart: 2,
        digest: resources[0]?.digest,
      },
    ]);
  });

  it("says PVE's words when a resource cannot be added and refuses to list HA groups", async () => {
    cluster = createCluster({ speed: 200 });
    const api = apiFor(cluster);
    await expect(api.call('POST', '/cluster/ha/resources', { sid: 'vm:999' })).rejects.toMatchObject({
      status: 500,
      message: "resource 'vm:999' does not exist in cluster",
    });
    await expect(api.call('POST', '/cluster/ha/resources', { sid: 'vm:200' })).rejects.toMatchObject({
      message: "resource 'vm:200' - guest with ID 200 is not a VM",
    });
    await expect(api.call('POST', '/cluster/ha/resources', { sid: 'vm:101' })).rejects.toMatchObject({
      message: "create resource failed: resource ID 'vm:101' already defined",
    });
    await expect(api.call('GET', '/cluster/ha/groups')).rejects.toMatchObject({
      status: 500,
      message: 'cannot index groups: ha groups have been migrated to rules',
    });
  });
});

describe('replication as pvesr answers it', () => {
  it('lists source always and schedule only when set; duration only once a run has ended', async () => {
    cluster = createCluster({ speed: 200 });
    const api = apiFor(cluster);
    expect(await api.call('GET', '/cluster/replication')).toEqual([
      { id: '103-0', type: 'local', guest: 103, jobnum: 0, target: 'node01', source: 'node03' },
    ]);
    await expect(
      api.call('POST', '/cluster/replication', { id: '103-1', type: 'local', target: 'node03' }),
    ).rejects.toMatchObject({ message: 'Source and target must not be identical' });
    await api.call('POST', '/cluster/replication', {
      id: '103-1',
      type: 'local',
      target: 'node02',
      schedule: '*/30',
    });
    const jobs = (await api.call('GET', '/cluster/replication')) as Entry[];
    expect(jobs[1]).toMatchObject({ id: '103-1', source: 'node03', schedule: '*/30' });
    const first = ((await api.call('GET', '/nodes/{node}/replication', { node: 'node03' })) as Entry[]).find(
      (j) => j.id === '103-1',
    );
    expect(first).toMatchObject({ pid: expect.any(Number), fail_count: 0, last_sync: 0 });
    expect(first).not.toHaveProperty('duration');
  });

  it('answers schedule_now with "" and the log on any node, "unable to open file" where none ran', async () => {
    cluster = createCluster({ speed: 200 });
    const api = apiFor(cluster);
    const log = (node: string) =>
      api.call('GET', '/nodes/{node}/replication/{id}/log', { node, id: '103-0' });
    expect(await log('node01')).toEqual([{ n: 1, t: 'unable to open file - No such file or directory' }]);
    expect(((await log('node03')) as Entry[])[0]?.t).toMatch(/ 103-0: start replication job$/);
    expect(
      await api.call('POST', '/nodes/{node}/replication/{id}/schedule_now', { node: 'node01', id: '103-0' }),
    ).toBe('');
    expect(
      await api.call('POST', '/nodes/{node}/replication/{id}/schedule_now', { node: 'node03', id: '103-0' }),
    ).toBe('');
    // The run starts at once (pvescheduler would within a minute): last_try is its start.
    const job = cluster.replication.jobs.get('103-0');
    expect(job?.running).toBe(true);
    await waitFor(() => !job?.running, 'the run to end');
    expect(job?.lastSync).toBe(job?.lastTry);
  });

  it('fails with the prepare-local-job ssh error and next_sync 0 while the target is offline', async () => {
    cluster = createCluster({ speed: 200 });
    const api = apiFor(cluster);
    cluster.setNodeOnline('node01', false);
    await api.call('POST', '/nodes/{node}/replication/{id}/schedule_now', { node: 'node03', id: '103-0' });
    const job = cluster.replication.jobs.get('103-0');
    expect(job?.failCount).toBe(1);
    const [state] = (await api.call('GET', '/nodes/{node}/replication', { node: 'node03' })) as Entry[];
    expect(state).toMatchObject({ next_sync: 0, fail_count: 1, duration: expect.any(Number) });
    expect(state?.error).toBe(
      `command '/usr/bin/ssh -e none -o 'BatchMode=yes' -o 'HostKeyAlias=node01' -o 'UserKnownHostsFile=/etc/pve/nodes/node01/ssh_known_hosts' -o 'GlobalKnownHostsFile=none' root@${cluster.nodeAddress('node01')} -- pvesr prepare-local-job 103-0 local-zfs:vm-103-disk-0 --last_sync ${job?.lastSync}' failed: exit code 255`,
    );
  });
});
