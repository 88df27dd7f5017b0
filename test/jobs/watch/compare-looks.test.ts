// The watch's rules without a cluster: one card per incident, not posted again while it lasts,
// updated when it ends; a flapping node keeps its card; a failed task is said once; many in one
// look make one card; storage opens over the threshold and ends 5 points under it.
import { describe, expect, it } from 'vitest';
import { DEFAULT_WATCH_SETTINGS } from '../../../src/config/read-watch-config.js';
import type { ClusterLook, LookStorage } from '../../../src/jobs/watch/cluster-look.js';
import { compareLooks } from '../../../src/jobs/watch/compare-looks.js';
import { FLAP_WINDOW_MS } from '../../../src/jobs/watch/incidents.js';
import type { WatchMemory } from '../../../src/jobs/watch/watch-memory.js';
import type { ClusterTask } from '../../../src/proxmox/schemas/cluster-schemas.js';

const T0 = Date.UTC(2026, 11, 7, 9, 0, 0);
const S = 1000;
const NODES = ['node01', 'node02', 'node03'];

function look(
  at: number,
  options: {
    offline?: string[];
    storages?: LookStorage[];
    tasks?: ClusterTask[] | { error: string };
    ha?: Record<string, string>;
  } = {},
): ClusterLook {
  const offline = new Set(options.offline ?? []);
  const online = NODES.filter((n) => !offline.has(n)).length;
  return {
    at,
    clusterName: 'MonCluster',
    quorate: online * 2 > NODES.length,
    nodes: NODES.map((name) => ({ name, online: !offline.has(name) })),
    guests: new Map([
      [100, { label: 'TestVM (qemu/100)', node: 'node01' }],
      [101, { label: 'web01 (qemu/101)', node: 'node02' }],
      [102, { label: 'db01 (qemu/102)', node: 'node02' }],
    ]),
    storages: options.storages ?? [],
    ha: {
      services: Object.entries(options.ha ?? {}).map(([sid, node]) => ({
        sid,
        label: sid === 'vm:101' ? 'web01 (qemu/101)' : sid,
        node,
        state: 'started',
        requested: 'started',
      })),
      lrms: NODES.map((node) => ({ node, state: offline.has(node) ? 'dead' : 'active' })),
    },
    tasks: options.tasks ?? [],
  };
}

function upid(node: string, start: number, type: string, id: string, user = 'root@pam'): string {
  return `UPID:${node}:0000A1B2:00C0FFEE:${start.toString(16).toUpperCase()}:${type}:${id}:${user}:`;
}

function task(
  node: string,
  endS: number,
  type: string,
  id: string,
  status: string,
  user = 'root@pam',
): ClusterTask {
  return {
    upid: upid(node, endS - 5, type, id, user),
    node,
    type,
    id,
    user,
    starttime: endS - 5,
    endtime: endS,
    status,
  };
}

const settings = { ...DEFAULT_WATCH_SETTINGS, ownUser: 'chatops@pve!bot' };

/** Runs the looks in order, each with the memory of the one before; returns every look's alerts. */
function run(looks: ClusterLook[], start?: WatchMemory) {
  let memory = start;
  return looks.map((l) => {
    const outcome = compareLooks(memory, l, settings);
    memory = outcome.memory;
    return outcome.alerts;
  });
}

describe('the watch compares looks', () => {
  it('opens one card for a node that goes offline, posts nothing while it stays down, and resolves the same card', () => {
    const [first, down, still, up, after] = run([
      look(T0),
      look(T0 + 30 * S, { offline: ['node02'] }),
      look(T0 + 60 * S, { offline: ['node02'] }),
      look(T0 + 270 * S),
      look(T0 + 300 * S),
    ]);
    expect(first).toEqual([]);
    expect(down).toHaveLength(1);
    const key = down![0]!.key;
    expect(down![0]).toMatchObject({
      key: `node:node02:${T0 / 1000}`,
      source: 'watch',
      type: 'node',
      state: 'open',
      severity: 'error',
      title: 'node02 is offline',
      text: 'node02 is offline since 09:00 UTC.',
    });
    expect(down![0]!.fields).toContainEqual({
      label: 'Guests on it',
      value: '2: web01 (qemu/101) and db01 (qemu/102)',
    });
    expect(still).toEqual([]);
    expect(up).toEqual([
      expect.objectContaining({
        key,
        state: 'resolved',
        title: 'node02 is offline',
        text: 'node02 is back online after 4 min (offline from 09:00 UTC to 09:04 UTC).',
      }),
    ]);
    expect(after).toEqual([]);
  });

  it('gives two looks that ran at once from the same memory the same card', () => {
    const before = compareLooks(undefined, look(T0), settings).memory;
    const slow = compareLooks(before, look(T0 + 31 * S, { offline: ['node02'] }), settings);
    const next = compareLooks(before, look(T0 + 45 * S, { offline: ['node02'] }), settings);
    expect(slow.alerts.map((a) => a.key)).toEqual(next.alerts.map((a) => a.key));
  });

  it('reports a node already offline at the first look once, without a start time it cannot know', () => {
    const [first, second, back] = run([
      look(T0, { offline: ['node03'] }),
      look(T0 + 30 * S, { offline: ['node03'] }),
      look(T0 + 90 * S),
    ]);
    expect(first).toEqual([
      expect.objectContaining({
        key: `node:node03:${T0 / 1000}`,
        state: 'open',
        text: 'node03 is offline already when the watch first looked, at 09:00 UTC.',
      }),
    ]);
    expect(second).toEqual([]);
    expect(back).toEqual([
      expect.objectContaining({
        state: 'resolved',
        text: 'node03 is back online after at least 2 min (offline when the watch first looked, at 09:00 UTC).',
      }),
    ]);
  });

  it('keeps one card for a flapping node, and opens a new one after the flap window', () => {
    const looks = [
      look(T0),
      look(T0 + 30 * S, { offline: ['node02'] }),
      look(T0 + 60 * S),
      look(T0 + 90 * S, { offline: ['node02'] }),
      look(T0 + 120 * S),
      look(T0 + 120 * S + FLAP_WINDOW_MS + 30 * S),
      look(T0 + 120 * S + FLAP_WINDOW_MS + 60 * S, { offline: ['node02'] }),
    ];
    const alerts = run(looks);
    const keys = alerts.flat().map((a) => `${a.key} ${a.state}`);
    const first = `node:node02:${T0 / 1000}`;
    expect(keys).toEqual([
      `${first} open`,
      `${first} resolved`,
      `${first} open`,
      `${first} resolved`,
      `node:node02:${(T0 + 120 * S + FLAP_WINDOW_MS + 30 * S) / 1000} open`,
    ]);
    expect(alerts[3]![0]!.fields).toContainEqual({ label: 'Times', value: '2 since 09:00 UTC' });
  });

  it('opens quorum:<cluster> when a majority is down and resolves it when quorum is back', () => {
    const [, lost, still, back] = run([
      look(T0),
      look(T0 + 30 * S, { offline: ['node02', 'node03'] }),
      look(T0 + 60 * S, { offline: ['node02', 'node03'] }),
      look(T0 + 90 * S, { offline: ['node03'] }),
    ]);
    expect(lost!.map((a) => a.key)).toEqual([
      `node:node02:${T0 / 1000}`,
      `node:node03:${T0 / 1000}`,
      `quorum:MonCluster:${T0 / 1000}`,
    ]);
    expect(lost![2]).toMatchObject({
      type: 'quorum',
      state: 'open',
      title: 'MonCluster has lost quorum',
      fields: expect.arrayContaining([
        { label: 'Nodes online', value: '1 of 3' },
        { label: 'Offline', value: 'node02 and node03' },
      ]),
    });
    expect(still).toEqual([]);
    expect(back!.map((a) => `${a.key.split(':')[0]} ${a.state}`)).toEqual([
      'node resolved',
      'quorum resolved',
    ]);
    expect(back![1]).toMatchObject({
      title: 'MonCluster has lost quorum',
      text: 'MonCluster is quorate again after 1 min.',
    });
  });

  it('announces HA recoveries off a failed node as one card, once; a migration between live nodes is not one', () => {
    const [, moved, recovered, again] = run([
      look(T0, { ha: { 'vm:101': 'node02', 'vm:102': 'node02', 'vm:100': 'node01' } }),
      look(T0 + 30 * S, { ha: { 'vm:101': 'node02', 'vm:102': 'node02', 'vm:100': 'node03' } }),
      look(T0 + 60 * S, {
        offline: ['node02'],
        ha: { 'vm:101': 'node01', 'vm:102': 'node03', 'vm:100': 'node03' },
      }),
      look(T0 + 90 * S, {
        offline: ['node02'],
        ha: { 'vm:101': 'node01', 'vm:102': 'node03', 'vm:100': 'node03' },
      }),
    ]);
    expect(moved).toEqual([]);
    const ha = recovered!.filter((a) => a.type === 'ha-recovery');
    expect(ha).toEqual([
      expect.objectContaining({
        key: `ha-recovery:node02:${(T0 + 30 * S) / 1000}`,
        state: 'event',
        title: 'HA recovered 2 guests from node02',
        text: 'web01 (qemu/101): node02 → node01 (now started)\nvm:102: node02 → node03 (now started)',
      }),
    ]);
    expect(again).toEqual([]);
  });

  it('reports a failed task once, leaves out history, the bot’s own tasks and the ignored types', () => {
    const old = task('node02', T0 / 1000 - 3600, 'vzdump', '', 'job errors');
    const oldStart = task(
      'node01',
      T0 / 1000 - 600,
      'qmstart',
      '100',
      'start failed: QEMU exited with code 1',
    );
    const failed = task('node01', T0 / 1000 + 20, 'qmstart', '100', 'start failed: QEMU exited with code 1');
    const ok = task('node01', T0 / 1000 + 21, 'qmstop', '100', 'OK');
    const warnings = task('node01', T0 / 1000 + 22, 'aptupdate', '', 'WARNINGS: 1');
    const ours = task('node01', T0 / 1000 + 23, 'qmigrate', '100', 'migration aborted', 'chatops@pve!bot');
    const console = task('node01', T0 / 1000 + 24, 'vncproxy', '100', 'Failed to run vncproxy.');
    const backup = task('node02', T0 / 1000 + 25, 'vzdump', '', 'job errors');
    const [first, second, third] = run([
      look(T0, { tasks: [old, oldStart] }),
      look(T0 + 30 * S, { tasks: [old, oldStart, failed, ok, warnings, ours, console, backup] }),
      look(T0 + 60 * S, { tasks: [old, oldStart, failed, ok, warnings, ours, console, backup] }),
    ]);
    expect(first).toEqual([]);
    expect(second).toEqual([
      expect.objectContaining({
        key: `task:${failed.upid}`,
        type: 'task',
        state: 'event',
        severity: 'error',
        title: 'Task failed on node01: start of TestVM (qemu/100)',
        text: '`start failed: QEMU exited with code 1`',
        offers: [{ label: 'Failed tasks', command: 'tasks node01 --failed' }],
      }),
    ]);
    expect(third).toEqual([]);
  });

  it('does not report a node’s old tasks again when they reappear in the list', () => {
    const old = task('node03', T0 / 1000 - 600, 'qmstart', '102', 'start failed');
    const [, gone, back] = run([
      look(T0, { tasks: [old] }),
      look(T0 + 30 * S, { tasks: [] }),
      look(T0 + 60 * S, { tasks: [old] }),
    ]);
    expect(gone).toEqual([]);
    expect(back).toEqual([]);
  });

  it('groups many failures in one look into one card listing them', () => {
    const failures = Array.from({ length: 5 }, (_, i) =>
      task('node01', T0 / 1000 + 10 + i, 'qmstart', String(100 + i), `start failed ${i}`),
    );
    const [, grouped] = run([look(T0), look(T0 + 30 * S, { tasks: failures })]);
    expect(grouped).toHaveLength(1);
    expect(grouped![0]).toMatchObject({
      key: expect.stringMatching(/^task:group:[0-9a-f]{16}$/),
      title: '5 tasks failed on node01',
      offers: [{ label: 'Failed tasks', command: 'tasks node01 --failed' }],
    });
    expect(grouped![0]!.text!.split('\n')).toHaveLength(5);
  });

  it('honours ALERT_TASK_TYPES', () => {
    const failed = task('node01', T0 / 1000 + 20, 'qmstart', '100', 'start failed');
    const outcome = compareLooks(
      compareLooks(undefined, look(T0), settings).memory,
      look(T0 + 30 * S, { tasks: [failed] }),
      {
        ...settings,
        taskTypes: ['vzdump'],
      },
    );
    expect(outcome.alerts).toEqual([]);
  });

  it('keeps the task baseline when the list cannot be read, and reports what failed meanwhile', () => {
    const failed = task('node01', T0 / 1000 + 50, 'qmstart', '100', 'start failed');
    const [, unread, read] = run([
      look(T0),
      look(T0 + 30 * S, { tasks: { error: 'timeout' } }),
      look(T0 + 60 * S, { tasks: [failed] }),
    ]);
    expect(unread).toEqual([]);
    expect(read!.map((a) => a.key)).toEqual([`task:${failed.upid}`]);
  });

  it('opens a storage card over the threshold, keeps it between the thresholds, resolves it 5 points under', () => {
    const GiB = 1024 ** 3;
    const local = (percent: number, node = 'node01'): LookStorage => ({
      storage: 'local-lvm',
      node,
      shared: false,
      available: true,
      used: percent * GiB,
      total: 100 * GiB,
    });
    const shared = (percent: number, node: string): LookStorage => ({
      storage: 'ceph-vm',
      node,
      shared: true,
      available: true,
      used: percent * GiB,
      total: 100 * GiB,
    });
    const alerts = run([
      look(T0, { storages: [local(80), shared(50, 'node01'), shared(50, 'node02')] }),
      look(T0 + 30 * S, { storages: [local(91), shared(93, 'node01'), shared(93, 'node02')] }),
      look(T0 + 60 * S, { storages: [local(88), shared(93, 'node01'), shared(93, 'node02')] }),
      look(T0 + 90 * S, { storages: [local(84), shared(93, 'node01'), shared(93, 'node02')] }),
    ]);
    const at = T0 / 1000;
    expect(alerts[0]).toEqual([]);
    expect(alerts[1]!.map((a) => [a.key, a.state, a.title])).toEqual([
      [`storage:local-lvm@node01:${at}`, 'open', 'Storage local-lvm on node01 is 91 % full'],
      [`storage:ceph-vm:${at}`, 'open', 'Storage ceph-vm is 93 % full'],
    ]);
    expect(alerts[2]).toEqual([]);
    expect(alerts[3]!.map((a) => [a.key, a.state, a.title, a.text])).toEqual([
      [
        `storage:local-lvm@node01:${at}`,
        'resolved',
        'Storage local-lvm on node01 is over 90 %',
        'Back under 85 % after 1 min: 84 % full.',
      ],
    ]);
  });
});
