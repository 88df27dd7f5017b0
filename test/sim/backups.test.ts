// Backups in the simulator: vzdump tasks and their logs, archives in storage content, guest
// failures that end a job `job errors`, scheduled jobs, and the default cluster's history.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCluster } from '../../src/sim/cluster/create-cluster.js';
import type { SimCluster } from '../../src/sim/cluster/sim-cluster.js';
import { PveHttpError } from '../../src/sim/pve-http-error.js';
import { type Api, apiFor, taskDone } from './cluster-test-kit.js';

type Entry = Record<string, unknown>;

let cluster: SimCluster | undefined;
afterEach(() => cluster?.close());

function setup(): { sim: SimCluster; api: Api } {
  cluster = createCluster({ speed: 1000 });
  return { sim: cluster, api: apiFor(cluster) };
}

const VZDUMP = '/nodes/{node}/vzdump';
const CONTENT = '/nodes/{node}/storage/{storage}/content';

describe('vzdump', () => {
  it('backs up TestVM to local under the lock `backup`; the archive is then in the storage content', async () => {
    const { sim, api } = setup();
    const upid = (await api.call('POST', VZDUMP, {
      node: 'node01',
      vmid: '100',
      storage: 'local',
      mode: 'snapshot',
      compress: 'zstd',
      'notes-template': '{{guestname}} on {{node}}',
    })) as string;
    expect(upid).toMatch(/:vzdump:100:chatops@pve!bot:$/);
    expect(sim.guest(100)?.lock).toBe('backup');
    const task = await taskDone(sim, upid);
    expect(sim.guest(100)?.lock).toBeUndefined();
    expect(task.record.exitstatus).toBe('OK');
    expect(task.lines[0]).toBe(
      "INFO: starting new backup job: vzdump 100 --storage local --mode snapshot --compress zstd --notes-template '{{guestname}} on {{node}}'",
    );
    const archiveLine = task.lines.find((line) => line.startsWith('INFO: creating vzdump archive'));
    const file = /'\/var\/lib\/vz\/dump\/(vzdump-qemu-100-\d{4}_\d\d_\d\d-\d\d_\d\d_\d\d\.vma\.zst)'$/.exec(
      archiveLine ?? '',
    )?.[1];
    expect(file).toBeDefined();
    expect(task.lines).toContainEqual(expect.stringMatching(/^INFO: archive file size: [\d.]+(MB|GB)$/));
    expect(task.lines).toContainEqual(
      expect.stringMatching(/^INFO: Finished Backup of VM 100 \(\d\d:\d\d:\d\d\)$/),
    );
    expect(task.lines.slice(-2)).toEqual(['INFO: Backup job finished successfully', 'TASK OK']);

    const content = (await api.call('GET', CONTENT, {
      node: 'node01',
      storage: 'local',
      content: 'backup',
    })) as Entry[];
    expect(content).toEqual([
      {
        volid: `local:backup/${file}`,
        format: 'vma.zst',
        size: expect.any(Number),
        ctime: task.record.starttime,
        vmid: 100,
        content: 'backup',
        subtype: 'qemu',
        notes: 'TestVM on node01',
      },
    ]);
    // `local` is per node: node02's has nothing.
    expect(await api.call('GET', CONTENT, { node: 'node02', storage: 'local', content: 'backup' })).toEqual(
      [],
    );
    expect(
      await api.call('GET', CONTENT, { node: 'node01', storage: 'local', vmid: 201, content: 'backup' }),
    ).toEqual([]);
  });

  it('backs up incrementally to the backup server, which every node lists', async () => {
    const { sim, api } = setup();
    const upid = (await api.call('POST', VZDUMP, {
      node: 'node01',
      vmid: '100',
      storage: 'pbs-backup',
    })) as string;
    const task = await taskDone(sim, upid);
    expect(task.lines).toContainEqual(
      expect.stringMatching(/^INFO: creating Proxmox Backup Server archive 'vm\/100\/[\dT:-]+Z'$/),
    );
    expect(task.lines).toContainEqual(expect.stringMatching(/^INFO: scsi0: dirty-bitmap status: OK \(/));
    expect(task.lines.some((line) => line.startsWith('INFO: archive file size'))).toBe(false);
    const onNode03 = (await api.call('GET', CONTENT, {
      node: 'node03',
      storage: 'pbs-backup',
      vmid: 100,
    })) as Entry[];
    const newest = onNode03.at(-1);
    expect(newest).toMatchObject({
      format: 'pbs-vm',
      subtype: 'qemu',
      ctime: task.record.starttime,
      size: 32 * 1024 ** 3,
    });
    expect(newest).not.toHaveProperty('verification');
  });

  it('answers "OK" without a task when no listed guest is on the node, and skips the others', async () => {
    const { sim, api } = setup();
    const before = sim.tasks.all().length;
    expect(await api.call('POST', VZDUMP, { node: 'node01', vmid: '102', storage: 'local' })).toBe('OK');
    expect(sim.tasks.all()).toHaveLength(before);
    const upid = (await api.call('POST', VZDUMP, {
      node: 'node01',
      vmid: '100,102,201',
      storage: 'local',
    })) as string;
    expect(upid).toMatch(/:vzdump::chatops@pve!bot:$/);
    const task = await taskDone(sim, upid);
    expect(task.lines[1]).toBe('INFO: skip external VMs: 102');
    expect(task.lines.filter((line) => line.startsWith('INFO: Finished Backup of VM'))).toHaveLength(2);
  });

  it('fails a locked guest inside the task: the job ends `job errors`', async () => {
    const { sim, api } = setup();
    // In the same tick: the snapshot takes its lock before the backup looks.
    const snapshot = (await api.call('POST', '/nodes/{node}/qemu/{vmid}/snapshot', {
      node: 'node01',
      vmid: 100,
      snapname: 'busy',
    })) as string;
    const upid = (await api.call('POST', VZDUMP, {
      node: 'node01',
      vmid: '100',
      storage: 'local',
    })) as string;
    const task = await taskDone(sim, upid);
    expect(task.record.exitstatus).toBe('job errors');
    expect(task.lines.slice(4)).toEqual([
      'ERROR: Backup of VM 100 failed - VM is locked (snapshot)',
      expect.stringMatching(/^INFO: Failed at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/),
      'INFO: Backup job finished with errors',
      'TASK ERROR: job errors',
    ]);
    await taskDone(sim, snapshot);
  });

  it('fails the job on a storage that takes no backups, and a guest on an injected failure', async () => {
    const { sim, api } = setup();
    const wrong = await taskDone(
      sim,
      (await api.call('POST', VZDUMP, { node: 'node01', vmid: '100', storage: 'local-lvm' })) as string,
    );
    expect(wrong.lines).toEqual([
      "TASK ERROR: could not get storage information for 'local-lvm': can't use storage 'local-lvm' for backups - wrong content type",
    ]);
    sim.failNextTask('vzdump', 'job failed with err -5 - Input/output error');
    const failed = await taskDone(
      sim,
      (await api.call('POST', VZDUMP, { node: 'node01', vmid: '100', storage: 'local' })) as string,
    );
    expect(failed.record.exitstatus).toBe('job errors');
    expect(failed.lines).toContain(
      'ERROR: Backup of VM 100 failed - job failed with err -5 - Input/output error',
    );
    expect(sim.guest(100)?.lock).toBeUndefined();
    expect(await api.call('GET', CONTENT, { node: 'node01', storage: 'local', content: 'backup' })).toEqual(
      [],
    );
  });

  it('stops a running guest for mode stop and starts it again', async () => {
    const { sim, api } = setup();
    const stops = vi.spyOn(sim, 'markStopped');
    const upid = (await api.call('POST', VZDUMP, {
      node: 'node01',
      vmid: '100',
      storage: 'local',
      mode: 'stop',
    })) as string;
    const task = await taskDone(sim, upid);
    expect(stops).toHaveBeenCalledWith(sim.guest(100));
    expect(sim.guest(100)?.running).toBe(true);
    expect(task.lines).toContain('INFO: backup mode: stop');
    expect(task.lines).toContain('INFO: stopping virtual guest');
    expect(task.lines).toContainEqual(expect.stringMatching(/^INFO: resuming VM again after \d+ seconds$/));
  });

  it('refuses a selection that conflicts or is missing before forking', async () => {
    const { api } = setup();
    await expect(api.call('POST', VZDUMP, { node: 'node01', vmid: '100', all: true })).rejects.toMatchObject({
      status: 400,
      errors: { all: "option conflicts with option 'vmid'" },
    });
    await expect(api.call('POST', VZDUMP, { node: 'node01', storage: 'local' })).rejects.toMatchObject({
      status: 400,
      errors: { vmid: 'property is missing' },
    });
  });

  it('deletes an archive in an imgdel task', async () => {
    const { sim, api } = setup();
    await taskDone(
      sim,
      (await api.call('POST', VZDUMP, { node: 'node01', vmid: '201', storage: 'local' })) as string,
    );
    const [archive] = (await api.call('GET', CONTENT, { node: 'node01', storage: 'local' })) as Entry[];
    expect(archive).toMatchObject({ format: 'tar', subtype: 'lxc', vmid: 201 });
    const upid = (await api.call('DELETE', `${CONTENT}/{volume}`, {
      node: 'node01',
      storage: 'local',
      volume: String(archive?.volid),
    })) as string;
    expect((await taskDone(sim, upid)).lines[0]).toBe(`Removed volume '${String(archive?.volid)}'`);
    expect(await api.call('GET', CONTENT, { node: 'node01', storage: 'local', content: 'backup' })).toEqual(
      [],
    );
  });
});

describe('the default cluster backup history and jobs', () => {
  it('has pbs-backup with archives of 100, 101, 200 from last night, 102 from two nights ago, 103 from twelve days ago, none of 201', async () => {
    const { sim, api } = setup();
    const archives = (await api.call('GET', CONTENT, {
      node: 'node01',
      storage: 'pbs-backup',
      content: 'backup',
    })) as Entry[];
    const newest = new Map<number, number>();
    for (const a of archives)
      newest.set(Number(a.vmid), Math.max(newest.get(Number(a.vmid)) ?? 0, Number(a.ctime)));
    const ageDays = (vmid: number) => (sim.now() / 1000 - (newest.get(vmid) ?? 0)) / 86_400;
    for (const vmid of [100, 101, 200]) expect(ageDays(vmid)).toBeLessThan(1.1);
    expect(ageDays(102)).toBeGreaterThan(1);
    expect(ageDays(102)).toBeLessThan(2.1);
    expect(Math.round(ageDays(103))).toBeGreaterThanOrEqual(11);
    expect(newest.has(201)).toBe(false);
    expect(archives.some((a) => a.protected === 1)).toBe(true);
    expect(archives.some((a) => (a.verification as Entry | undefined)?.state === 'ok')).toBe(true);
  });

  it('shows last night failed run as a finished root@pam vzdump task with status `job errors`', async () => {
    const { api } = setup();
    const tasks = (await api.call('GET', '/nodes/{node}/tasks', {
      node: 'node02',
      typefilter: 'vzdump',
    })) as Entry[];
    expect(tasks[0]).toMatchObject({ type: 'vzdump', id: '', user: 'root@pam', status: 'job errors' });
    const clusterTasks = (await api.call('GET', '/cluster/tasks')) as Entry[];
    expect(clusterTasks).toContainEqual(
      expect.objectContaining({ upid: tasks[0]?.upid, status: 'job errors' }),
    );
  });

  it('lists the nightly job with next-run, creates and deletes jobs, and names the guests no job covers', async () => {
    const { sim, api } = setup();
    const jobs = (await api.call('GET', '/cluster/backup')) as Entry[];
    expect(jobs).toEqual([
      expect.objectContaining({
        id: 'backup-nightly',
        type: 'vzdump',
        schedule: '21:00',
        enabled: 1,
        storage: 'pbs-backup',
        vmid: '100,101,102,200',
        'prune-backups': { 'keep-daily': '7', 'keep-weekly': '4' },
      }),
    ]);
    const next = Number(jobs[0]?.['next-run']);
    expect(next).toBeGreaterThan(sim.now() / 1000);
    expect(next).toBeLessThanOrEqual(sim.now() / 1000 + 86_400);
    expect(await api.call('GET', '/cluster/backup-info/not-backed-up')).toEqual([
      { vmid: 103, type: 'qemu', name: 'files01' },
      { vmid: 201, type: 'lxc', name: 'ct-proxy01' },
      { vmid: 9000, type: 'qemu', name: 'debian12-tmpl' },
    ]);

    await api.call('POST', '/cluster/backup', {
      id: 'weekly',
      schedule: 'sat 02:00',
      all: true,
      enabled: false,
      storage: 'local',
    });
    const weekly = (await api.call('GET', '/cluster/backup/{id}', { id: 'weekly' })) as Entry;
    expect(weekly).toMatchObject({ id: 'weekly', type: 'vzdump', all: 1, enabled: 0, schedule: 'sat 02:00' });
    expect(await api.call('GET', '/cluster/backup-info/not-backed-up')).toEqual([]);
    const saturday = ((await api.call('GET', '/cluster/backup')) as Entry[]).find(
      (job) => job.id === 'weekly',
    );
    expect(new Date(Number(saturday?.['next-run']) * 1000).getUTCDay()).toBe(6);

    await expect(
      api.call('POST', '/cluster/backup', { vmid: '100', storage: 'local' }),
    ).rejects.toMatchObject({
      errors: { schedule: "neither 'starttime' nor 'schedule' were set" },
    });
    await api.call('PUT', '/cluster/backup/{id}', { id: 'weekly', enabled: true, delete: 'storage' });
    const edited = (await api.call('GET', '/cluster/backup/{id}', { id: 'weekly' })) as Entry;
    expect(edited).toMatchObject({ enabled: 1 });
    expect(edited).not.toHaveProperty('storage');
    await api.call('DELETE', '/cluster/backup/{id}', { id: 'weekly' });
    await expect(api.call('GET', '/cluster/backup/{id}', { id: 'weekly' })).rejects.toThrow(PveHttpError);
  });
});
