// The cluster watch against the simulator, one look at a time (each look a cluster-watch job, as
// the 30 s schedule enqueues them): a node taken offline gives one card, not posted again while it
// is down, and the same card is updated when it comes back; quorum lost when two nodes are down;
// an HA recovery; a failed task once; a storage over the threshold opens and resolves.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Alert } from '../../../src/jobs/alerts/alert.js';
import {
  CLUSTER_WATCH_PATTERN,
  CLUSTER_WATCH_SCHEDULER_ID,
  scheduleClusterWatch,
  unscheduleClusterWatch,
} from '../../../src/jobs/cluster-watch-schedule.js';
import type { AlertEvent } from '../../../src/jobs/job-events.js';
import type { ClusterWatchPayload } from '../../../src/jobs/kinds/cluster-watch-kind.js';
import { silentLogger } from '../../../src/logger.js';
import { ProxmoxClient } from '../../../src/proxmox/proxmox-client.js';
import { type JobHarness, startJobHarness, THREAD } from '../helpers/job-harness.js';

let harness: JobHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

/** One look: its result (silent) and the alerts it published, in order. */
async function look(h: JobHarness, payload: ClusterWatchPayload = {}) {
  const { jobId } = await h.queue.enqueue({
    kind: 'cluster-watch',
    payload,
    thread: THREAD,
    requestedBy: 'the cluster watch',
  });
  // The outbox delivers a job's events in order: its alerts have arrived once its result has.
  const result = await h.result(jobId);
  expect(result).toMatchObject({ ok: true, details: { silent: true } });
  const alerts = h.events
    .filter((e): e is AlertEvent => e.type === 'alert' && e.jobId === jobId)
    .map((e) => e.alert);
  return { result, alerts };
}

function keysOf(alerts: Alert[]): string[] {
  return alerts.map((a) => `${a.key.replace(/:\d+$/, '')} ${a.state}`);
}

/** Nodes and quorum only: the HA stack may recover web01 (HA-managed, on node02) meanwhile. */
function incidents(alerts: Alert[]): Alert[] {
  return alerts.filter((a) => a.type === 'node' || a.type === 'quorum');
}

describe('the cluster watch', () => {
  it('gives one card for a node taken offline, not posted again, updated when it comes back', async () => {
    const h = await startJobHarness({ speed: 100 });
    harness = h;
    await h.worker();
    expect((await look(h)).alerts).toEqual([]);

    await h.sim.faults.nodeDown('node03');
    const down = await look(h);
    expect(keysOf(down.alerts)).toEqual(['node:node03 open']);
    const [card] = down.alerts;
    expect(card).toMatchObject({
      source: 'watch',
      type: 'node',
      severity: 'error',
      title: 'node03 is offline',
      offers: [{ label: 'Cluster status', command: 'cluster' }],
    });
    expect(card!.fields).toContainEqual({ label: 'Cluster', value: 'MonCluster' });
    expect(card!.fields).toContainEqual({
      label: 'Guests on it',
      value: '2: files01 (qemu/103) and ct-dns01 (lxc/200)',
    });

    // Still down: nothing new.
    expect((await look(h)).alerts).toEqual([]);

    await h.sim.faults.nodeUp('node03');
    const up = await look(h);
    expect(up.alerts).toEqual([
      expect.objectContaining({ key: card!.key, state: 'resolved', severity: 'info', type: 'node' }),
    ]);
    expect(up.alerts[0]!.title).toBe('node03 is offline');
    expect(up.alerts[0]!.text).toMatch(
      /^node03 is back online after \d+ s \(offline from \d\d:\d\d UTC to \d\d:\d\d UTC\)\.$/,
    );
    expect((await look(h)).alerts).toEqual([]);
  });

  it('opens quorum:MonCluster when two nodes are down, and resolves it when one is back', async () => {
    const h = await startJobHarness({ speed: 100 });
    harness = h;
    await h.worker();
    await look(h);
    await h.sim.faults.nodeDown('node02');
    await h.sim.faults.nodeDown('node03');
    const lost = await look(h);
    lost.alerts = incidents(lost.alerts);
    expect(keysOf(lost.alerts)).toEqual(['node:node02 open', 'node:node03 open', 'quorum:MonCluster open']);
    expect(lost.alerts[2]).toMatchObject({
      type: 'quorum',
      severity: 'error',
      title: 'MonCluster has lost quorum',
      fields: expect.arrayContaining([
        { label: 'Nodes online', value: '1 of 3' },
        { label: 'Offline', value: 'node02 and node03' },
      ]),
    });
    expect(incidents((await look(h)).alerts)).toEqual([]);

    await h.sim.faults.nodeUp('node02');
    const back = incidents((await look(h)).alerts);
    expect(keysOf(back)).toEqual(['node:node02 resolved', 'quorum:MonCluster resolved']);
    expect(back[1]!.key).toBe(lost.alerts[2]!.key);
    await h.sim.faults.nodeUp('node03');
  });

  it('announces the HA guests recovered off a failed node, once', async () => {
    const h = await startJobHarness({ speed: 100 });
    harness = h;
    await h.worker();
    await look(h);
    await h.sim.faults.nodeDown('node02');
    // The recovery may already be done at this look (the watchdog delay is scaled by speed).
    const down = await look(h);
    expect(keysOf(incidents(down.alerts))).toEqual(['node:node02 open']);
    // The CRM fences node02 (its watchdog delay, scaled by speed), then recovers web01 elsewhere.
    await vi.waitFor(
      () => {
        const service = h.sim.cluster.ha.services.get('vm:101');
        expect(service?.node).not.toBe('node02');
        expect(service?.state).toBe('started');
        expect(h.sim.cluster.guest(101)?.running).toBe(true);
      },
      { timeout: 30_000, interval: 50 },
    );
    const node = h.sim.cluster.ha.services.get('vm:101')!.node;
    const recovered = [...down.alerts, ...(await look(h)).alerts].filter((a) => a.type === 'ha-recovery');
    expect(recovered).toEqual([
      expect.objectContaining({
        key: expect.stringMatching(/^ha-recovery:vm:101:\d+$/),
        state: 'event',
        severity: 'warning',
        title: `HA recovered web01 (qemu/101) from node02 onto ${node}`,
        offers: [{ label: 'HA status', command: 'ha' }],
      }),
    ]);
    expect((await look(h)).alerts.filter((a) => a.type === 'ha-recovery')).toEqual([]);
  });

  it('reports a task that failed once, and leaves out the bot’s own', async () => {
    const h = await startJobHarness({ speed: 100 });
    harness = h;
    await h.worker();
    const pve = new ProxmoxClient({
      hosts: h.sim.hosts,
      tokenId: h.sim.tokenId,
      tokenSecret: h.sim.tokenSecret,
      fingerprints: h.sim.fingerprints,
      logger: silentLogger,
    });
    try {
      const files01 = { vmid: 103, type: 'qemu' as const, node: 'node03' };
      await look(h);
      h.sim.faults.failNextTask('qmstart', 'start failed: QEMU exited with code 1');
      const upid = await pve.start(files01);
      await expect(pve.waitForTask(upid)).rejects.toThrow('start failed: QEMU exited with code 1');

      // The tasks the bot started are its jobs' to report: a watch that knows its user skips them.
      expect((await look(h, { ownUser: h.sim.tokenId })).alerts).toEqual([]);

      h.sim.faults.failNextTask('qmstart', 'start failed: QEMU exited with code 1');
      const again = await pve.start(files01);
      await expect(pve.waitForTask(again)).rejects.toThrow();
      const failed = await look(h);
      expect(failed.alerts).toEqual([
        expect.objectContaining({
          key: `task:${again}`,
          type: 'task',
          state: 'event',
          severity: 'error',
          title: 'Task failed on node03: start of files01 (qemu/103)',
          text: '`start failed: QEMU exited with code 1`',
          offers: [{ label: 'Failed tasks', command: 'tasks node03 --failed' }],
        }),
      ]);
      expect((await look(h)).alerts).toEqual([]);
    } finally {
      await pve.close();
    }
  });

  it('opens a card for a storage over ALERT_STORAGE_PERCENT and resolves it 5 points under', async () => {
    const h = await startJobHarness({ speed: 100 });
    harness = h;
    await h.worker();
    const settings = { storagePercent: 80 };
    expect((await look(h, settings)).alerts).toEqual([]);

    h.sim.cluster.fillStorage('local-lvm', 0.86, 'node01');
    h.sim.cluster.fillStorage('ceph-vm', 0.9);
    const full = await look(h, settings);
    expect(keysOf(full.alerts)).toEqual(['storage:ceph-vm open', 'storage:local-lvm@node01 open']);
    expect(full.alerts.map((a) => a.title)).toEqual([
      'Storage ceph-vm is 90 % full',
      'Storage local-lvm on node01 is 86 % full',
    ]);
    // Under the threshold but not 5 points under: still open, nothing said.
    h.sim.cluster.fillStorage('local-lvm', 0.78, 'node01');
    expect((await look(h, settings)).alerts).toEqual([]);

    h.sim.cluster.fillStorage('local-lvm', 0.5, 'node01');
    const freed = await look(h, settings);
    expect(freed.alerts).toEqual([
      expect.objectContaining({
        key: full.alerts[1]!.key,
        state: 'resolved',
        title: 'Storage local-lvm on node01 is over 80 %',
        text: expect.stringMatching(/^Back under 75 % after \d+ s: 50 % full\.$/),
      }),
    ]);
  });

  it('is scheduled every 30 s to the alert channels with its settings, and replaces the HA watch’s schedule', async () => {
    const h = await startJobHarness();
    harness = h;
    // A deployment upgraded from the HA watch still has its scheduler.
    await h.queue.queue.upsertJobScheduler('ha-watch', { pattern: CLUSTER_WATCH_PATTERN, tz: 'UTC' });
    const next = await scheduleClusterWatch(h.queue, [{ platform: 'slack', channel: 'C-ALERTS' }], {
      storagePercent: 85,
      ownUser: 'chatops@pve!bot',
    });
    expect(next).toBeGreaterThan(Date.now() - 1_000);
    const scheduler = await h.queue.queue.getJobScheduler(CLUSTER_WATCH_SCHEDULER_ID);
    expect(scheduler).toMatchObject({ pattern: CLUSTER_WATCH_PATTERN, tz: 'UTC' });
    expect(scheduler?.template?.data).toMatchObject({
      kind: 'cluster-watch',
      payload: { storagePercent: 85, ownUser: 'chatops@pve!bot', taskTypes: [] },
      thread: { platform: 'slack', channel: 'C-ALERTS' },
    });
    expect(await h.queue.queue.getJobScheduler('ha-watch')).toBeUndefined();
    // A process that knows no alert channel leaves the schedule alone.
    expect(await scheduleClusterWatch(h.queue, [])).toBeUndefined();
    expect(await h.queue.queue.getJobScheduler(CLUSTER_WATCH_SCHEDULER_ID)).toBeDefined();
    await unscheduleClusterWatch(h.queue);
    expect(await h.queue.queue.getJobScheduler(CLUSTER_WATCH_SCHEDULER_ID)).toBeUndefined();
  });

  it('with several clusters, one watch per cluster, each run on its cluster', async () => {
    const h = await startJobHarness();
    harness = h;
    const alerts = [{ platform: 'slack', channel: 'C-ALERTS' }];
    await scheduleClusterWatch(h.queue, alerts, {});
    await scheduleClusterWatch(h.queue, alerts, {}, ['lab', 'prod']);
    expect(await h.queue.queue.getJobScheduler(CLUSTER_WATCH_SCHEDULER_ID)).toBeUndefined();
    for (const cluster of ['lab', 'prod'])
      expect(
        (await h.queue.queue.getJobScheduler(`${CLUSTER_WATCH_SCHEDULER_ID}:${cluster}`))?.template?.data,
      ).toMatchObject({
        kind: 'cluster-watch',
        cluster,
      });
  });
});
