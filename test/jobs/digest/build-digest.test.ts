// buildDigest on hand-written inputs: what each state reads like, at which severity, in which
// order, and that a line only appears when it says something.
import { describe, expect, it } from 'vitest';
import { buildDigest, type DigestReport, renderDigestText } from '../../../src/jobs/digest/build-digest.js';
import type { DigestInput, DigestNode } from '../../../src/jobs/digest/collect-digest.js';
import type { DigestMemory } from '../../../src/jobs/digest/digest-memory.js';
import { calmInput, NOW } from './helpers/digest-fixture.js';

const GiB = 1024 ** 3;
const lines = (report: DigestReport) => report.sections.flatMap((s) => s.lines);
const section = (report: DigestReport, title: string) =>
  report.sections.find((s) => s.title.startsWith(title));
const problems = (report: DigestReport) => lines(report).filter((l) => l.severity !== 'info');

function nodeOf(input: DigestInput, name: string): DigestNode {
  const node = input.nodes.find((n) => n.node === name);
  if (!node) throw new Error(`no ${name}`);
  return node;
}

describe('a calm day', () => {
  it('is healthy: a headline with the figures, a few info lines, no warning', () => {
    const report = buildDigest(calmInput(), undefined, NOW);
    expect(report.healthy).toBe(true);
    expect(report.headline).toBe('MonCluster: healthy — 3/3 nodes online, quorate, 4/6 guests running');
    expect(problems(report)).toEqual([]);
    expect(report.sections.map((s) => s.title)).toEqual(['Cluster']);
    expect(lines(report).map((l) => l.text)).toEqual([
      'Quorate, 3/3 votes, 2 needed · CPU 4–6 % · memory 16–19 % · up 20–22 days',
      'Guests: 4 running, 2 stopped, 1 template — running/stopped node01 1/1, node02 2/0, node03 1/1',
    ]);
    expect(renderDigestText(report)).toBe(
      [
        'Cluster',
        '• Quorate, 3/3 votes, 2 needed · CPU 4–6 % · memory 16–19 % · up 20–22 days',
        '• Guests: 4 running, 2 stopped, 1 template — running/stopped node01 1/1, node02 2/0, node03 1/1',
      ].join('\n'),
    );
  });

  it('gives the chart every node with its load and guests', () => {
    expect(buildDigest(calmInput(), undefined, NOW).nodes).toEqual([
      {
        node: 'node01',
        online: true,
        cpu: 0.04,
        memUsed: 10 * GiB,
        memTotal: 64 * GiB,
        guestsRunning: 1,
        guestsStopped: 1,
      },
      {
        node: 'node02',
        online: true,
        cpu: 0.05,
        memUsed: 11 * GiB,
        memTotal: 64 * GiB,
        guestsRunning: 2,
        guestsStopped: 0,
      },
      {
        node: 'node03',
        online: true,
        cpu: 0.06,
        memUsed: 12 * GiB,
        memTotal: 64 * GiB,
        guestsRunning: 1,
        guestsStopped: 1,
      },
    ]);
  });
});

describe('each line only when it says something', () => {
  it('stays quiet just below every threshold', () => {
    const input = calmInput();
    // Storage at 79 %, a clock 1.5 s ahead, a certificate with 31 days left, CPU and memory at
    // 89 %, a replication run due 9 minutes ago, a task that succeeded, a reboot two days ago.
    const local = input.storages.find((s) => s.node === 'node02' && s.storage === 'local');
    if (local) local.used = 0.79 * (local.total ?? 0);
    const node02 = nodeOf(input, 'node02');
    if (node02.details?.time) node02.details.time.time += 1.5;
    node02.cpu = 0.89;
    node02.memUsed = 0.89 * 64 * GiB;
    const ssl = node02.details?.certificates?.[1];
    if (ssl) ssl.notafter = NOW / 1000 + 31 * 86_400;
    const job = input.replication?.[0];
    if (job?.state) job.state.nextSync = NOW / 1000 - 9 * 60;
    if (job?.state) job.state.lastSync = NOW / 1000 - 25 * 60;
    input.tasks = [
      { upid: 'UPID:a', node: 'node01', type: 'vzdump', id: '100', endtime: NOW / 1000 - 60, status: 'OK' },
    ];
    nodeOf(input, 'node03').uptime = 2 * 86_400;
    const report = buildDigest(input, undefined, NOW);
    expect(report.healthy).toBe(true);
    expect(report.sections.map((s) => s.title)).toEqual(['Cluster']);
  });

  it('leaves out what it could not read when nobody asked for it: no HA, no replication in use', () => {
    const input = calmInput();
    input.ha = { services: [], lrms: [] };
    input.replication = [];
    expect(buildDigest(input, undefined, NOW).sections.map((s) => s.title)).toEqual(['Cluster']);
  });

  it('says nothing about a disabled replication job however old its last sync', () => {
    const input = calmInput();
    const job = input.replication?.[0];
    if (job?.state) {
      job.disabled = true;
      job.state.lastSync = NOW / 1000 - 30 * 86_400;
      job.state.nextSync = NOW / 1000 - 30 * 86_400;
    }
    expect(section(buildDigest(input, undefined, NOW), 'Replication')).toBeUndefined();
  });
});

describe('problems', () => {
  it('orders sections by urgency, then lines, and names the problems in the headline', () => {
    const input = calmInput();
    // info: a node rebooted an hour ago.
    nodeOf(input, 'node01').uptime = 3600;
    // warning: ceph at 85 %; critical: local on node02 at 97 %.
    for (const s of input.storages) if (s.storage === 'ceph-vm') s.used = 0.85 * (s.total ?? 0);
    const local = input.storages.find((s) => s.node === 'node02' && s.storage === 'local');
    if (local) local.used = 0.97 * (local.total ?? 0);
    // critical: node03 down.
    const node03 = nodeOf(input, 'node03');
    node03.online = false;
    delete node03.details;
    delete node03.cpu;
    for (const g of input.guests) if (g.node === 'node03') g.status = 'unknown';
    // critical: HA gave up on web01.
    const service = input.ha?.services[0];
    if (service) service.state = 'error';

    const report = buildDigest(input, undefined, NOW);
    expect(report.healthy).toBe(false);
    expect(report.sections.map((s) => s.title)).toEqual([
      'Nodes',
      'HA',
      'Storage',
      'Cluster',
      'In the last 24 h',
    ]);
    expect(section(report, 'Nodes')?.lines).toEqual([
      { severity: 'critical', text: 'node03: offline — not read; 2 guests on it are unknown' },
    ]);
    expect(section(report, 'HA')?.lines).toEqual([
      {
        severity: 'critical',
        text: 'web01 (vm:101) on node02: HA error state — HA gave up starting it. Fix the cause, then `ha-manager set vm:101 --state disabled` and set it back to `started`',
      },
    ]);
    expect(section(report, 'Storage')?.lines.map((l) => [l.severity, l.text])).toEqual([
      [
        'critical',
        'local on node02: 97 % used (95 GiB of 98 GiB) — guests writing to it will stall or fail once it is full',
      ],
      ['warning', 'ceph-vm (shared): 85 % used (4.5 TiB of 5.3 TiB)'],
    ]);
    expect(section(report, 'Cluster')?.lines[0]).toEqual({
      severity: 'info',
      text: 'Quorate with 2/3 votes, 2 needed: one more node down and the cluster loses quorum',
    });
    expect(section(report, 'In the last 24 h')?.lines).toEqual([
      { severity: 'info', text: 'node01 rebooted at 07:00 UTC (up 1 h)' },
    ]);
    expect(report.headline).toBe(
      'MonCluster: 4 problems — node03 offline, HA error: web01 (101), local on node02 97 %, …',
    );
    expect(report.nodes.find((n) => n.node === 'node03')).toMatchObject({
      online: false,
      cpu: 0,
      guestsRunning: 0,
      guestsStopped: 0,
    });
    const text = renderDigestText(report);
    expect(text.startsWith('Nodes\n🔴 node03: offline')).toBe(true);
    expect(text).toContain('\n\nStorage\n🔴 local on node02: 97 %');
    expect(text).toContain('\n🟠 ceph-vm (shared): 85 %');
  });

  it('without quorum says so first', () => {
    const input = calmInput();
    input.cluster.quorate = false;
    for (const name of ['node02', 'node03']) {
      const node = nodeOf(input, name);
      node.online = false;
      delete node.details;
    }
    const report = buildDigest(input, undefined, NOW);
    expect(report.sections[0]).toEqual({
      title: 'Cluster',
      lines: [
        {
          severity: 'critical',
          text: 'Not quorate (1/3 votes, 2 needed): /etc/pve is read-only, no guest can be started, migrated or changed until enough nodes are back',
        },
        expect.objectContaining({ severity: 'info' }),
        expect.objectContaining({ severity: 'info' }),
      ],
    });
    expect(report.headline).toMatch(/^MonCluster: 3 problems — no quorum, node02 offline, node03 offline$/);
  });

  it('counts many failed tasks as one problem and shows the newest ones with PVE’s error', () => {
    const input = calmInput();
    input.tasks = Array.from({ length: 12 }, (_, i) => ({
      upid: `UPID:node02:${i}`,
      node: 'node02',
      type: 'vzdump',
      id: '102',
      endtime: NOW / 1000 - 3600 + i * 60,
      status: `job errors ${i}`,
    }));
    input.tasks.push({
      upid: 'UPID:node01:old',
      node: 'node01',
      type: 'qmstart',
      id: '100',
      endtime: NOW / 1000 - 2 * 86_400,
      status: 'start failed',
    });
    input.tasks.push({
      upid: 'UPID:node01:warn',
      node: 'node01',
      type: 'aptupdate',
      endtime: NOW / 1000 - 60,
      status: 'WARNINGS: 2',
    });
    const report = buildDigest(input, undefined, NOW);
    const failed = section(report, 'Failed tasks');
    expect(failed?.lines).toHaveLength(8);
    expect(failed?.lines[0]).toEqual({
      severity: 'warning',
      text: '07:11 UTC node02: backup of db01 (102) failed: `job errors 11`',
    });
    // 12 failures and the task with warnings: 7 shown, 6 counted.
    expect(failed?.lines[7]).toEqual({ severity: 'warning', text: '… and 6 more' });
    expect(lines(report).some((l) => l.text.includes('start failed'))).toBe(false);
    expect(report.headline).toBe('MonCluster: 1 problem — 12 failed tasks');
    const withWarnings = buildDigest({ ...input, tasks: input.tasks.slice(-1) }, undefined, NOW);
    expect(section(withWarnings, 'Failed tasks')?.lines).toEqual([
      { severity: 'info', text: '1 task ended with warnings: apt-get update on node01' },
    ]);
    expect(withWarnings.healthy).toBe(true);
  });

  it('counts tasks since the previous digest when there is one', () => {
    const input = calmInput();
    input.tasks = [
      {
        upid: 'UPID:1',
        node: 'node01',
        type: 'qmstart',
        id: '100',
        endtime: NOW / 1000 - 7200,
        status: 'old failure',
      },
      {
        upid: 'UPID:2',
        node: 'node01',
        type: 'qmstart',
        id: '100',
        endtime: NOW / 1000 - 600,
        status: 'new failure',
      },
    ];
    const previous: DigestMemory = { at: NOW - 3_600_000, guests: {}, nodeBoots: {} };
    const texts = section(buildDigest(input, previous, NOW), 'Failed tasks')?.lines.map((l) => l.text);
    expect(texts).toEqual(['07:50 UTC node01: start of TestVM (100) failed: `new failure`']);
  });

  it('reports replication that failed with PVE’s error, and jobs that fell behind', () => {
    const input = calmInput();
    const now = NOW / 1000;
    const error = `command 'set -o pipefail && pvesm export local-zfs:vm-103-disk-0 zfs - -with-snapshots 1 -snapshot __replicate_103-0_1__ | /usr/bin/ssh -e none -o 'BatchMode=yes' -o 'HostKeyAlias=node01' root@127.20.1.101 -- pvesm import local-zfs:vm-103-disk-0 zfs - -with-snapshots 1 -snapshot __replicate_103-0_1__ -allow-rename 0' failed: exit code 1`;
    input.replication = [
      {
        id: '103-0',
        guest: 103,
        target: 'node01',
        schedule: '*/15',
        disabled: false,
        source: 'node03',
        state: { lastSync: now - 7200, nextSync: now + 300, failCount: 3, error, running: false },
      },
      {
        id: '103-1',
        guest: 103,
        target: 'node02',
        schedule: '*/15',
        disabled: false,
        source: 'node03',
        state: { lastSync: now - 3900, nextSync: now - 3000, failCount: 0, running: false },
      },
      {
        // Running now, but its last success is older than two intervals.
        id: '200-0',
        guest: 200,
        target: 'node01',
        schedule: 'hourly',
        disabled: false,
        source: 'node03',
        state: { lastSync: now - 3 * 3600, nextSync: now - 60, failCount: 0, running: true },
      },
      {
        // Never synced and overdue.
        id: '102-0',
        guest: 102,
        target: 'node01',
        schedule: 'mon..fri 22:00',
        disabled: false,
        source: 'node02',
        state: { lastSync: 0, nextSync: now - 3600, failCount: 0, running: false },
      },
    ];
    const report = buildDigest(input, undefined, NOW);
    const texts = section(report, 'Replication')?.lines.map((l) => `${l.severity} ${l.text}`);
    expect(texts).toEqual([
      expect.stringMatching(
        /^warning 103-0 files01 \(103\) node03 → node01: failed 3 times, last success 2 h ago: `command 'set -o pipefail && pvesm export .* … .*-allow-rename 0' failed: exit code 1`$/,
      ),
      'warning 103-1 files01 (103) node03 → node02: late — last sync 1 h ago, next run due 50 min ago (schedule `*/15`); is pvescheduler running on node03?',
      'warning 200-0 ct-dns01 (200) node03 → node01: late — last sync 3 h ago (schedule `hourly`); is pvescheduler running on node03?',
      'warning 102-0 db01 (102) node02 → node01: late — never synced, next run due 1 h ago (schedule `mon..fri 22:00`); is pvescheduler running on node02?',
    ]);
    expect(report.headline).toBe(
      'MonCluster: 4 problems — replication 103-0 failing, replication 103-1 late, replication 200-0 late, …',
    );
  });

  it('reports a clock 30 s off the others, and two nodes that disagree', () => {
    const input = calmInput();
    const node02 = nodeOf(input, 'node02');
    if (node02.details?.time) node02.details.time.time += 30;
    const report = buildDigest(input, undefined, NOW);
    expect(section(report, 'Clocks')?.lines).toEqual([
      {
        severity: 'warning',
        text: 'node02: clock 30 s ahead of the other nodes — check its time sync (`chronyc tracking`)',
      },
    ]);
    expect(report.headline).toBe('MonCluster: 1 problem — node02 clock +30 s');

    const pair = calmInput();
    pair.nodes = pair.nodes.slice(0, 2);
    const first = pair.nodes[0];
    if (first?.details?.time) first.details.time.time -= 5;
    expect(section(buildDigest(pair, undefined, NOW), 'Clocks')?.lines[0]?.text).toBe(
      'node01 and node02: clocks 5 s apart — check its time sync (`chronyc tracking`) on both',
    );
  });

  it('reports certificates expiring within 30 days, an expired one as critical, the CA once', () => {
    const input = calmInput();
    for (const node of input.nodes) {
      const ca = node.details?.certificates?.[0];
      if (ca) ca.notafter = NOW / 1000 + 20 * 86_400;
    }
    const ssl02 = nodeOf(input, 'node02').details?.certificates?.[1];
    if (ssl02) ssl02.notafter = NOW / 1000 + 10 * 86_400 - 60;
    const node03 = nodeOf(input, 'node03').details;
    node03?.certificates?.push({ filename: 'pveproxy-ssl.pem', notafter: NOW / 1000 - 3 * 86_400 });
    const report = buildDigest(input, undefined, NOW);
    expect(section(report, 'Certificates')?.lines).toEqual([
      {
        severity: 'critical',
        text: 'node03: `pveproxy-ssl.pem` expired 3 days ago (2025-11-01): clients that check it refuse the node — renew it (ACME: `pvenode acme cert renew`), or upload a new one',
      },
      { severity: 'warning', text: 'Cluster CA `pve-root-ca.pem` expires in 20 days (2025-11-24)' },
      {
        severity: 'warning',
        text: 'node02: `pve-ssl.pem` expires in 10 days (2025-11-14) — renew it with `pvecm updatecerts --force` on the node',
      },
    ]);
  });

  it('asks for a reboot where a newer kernel is installed, and lists pending updates calmly', () => {
    const input = calmInput();
    const pending = [
      { name: 'pve-manager', from: '9.1.3', to: '9.1.4' },
      { name: 'proxmox-kernel-6.17.4-1-pve-signed', to: '6.17.4-1' },
      { name: 'libpve-common-perl', from: '9.1.1', to: '9.1.2' },
    ];
    for (const node of input.nodes) if (node.details) node.details.pendingUpdates = pending;
    const node02 = nodeOf(input, 'node02').details;
    if (node02) {
      node02.kernels = { running: '6.17.2-1-pve', installed: ['6.17.4-1-pve', '6.17.2-1-pve'] };
      node02.pendingUpdates = [];
    }
    const report = buildDigest(input, undefined, NOW);
    expect(section(report, 'Updates')?.lines).toEqual([
      {
        severity: 'warning',
        text: 'node02: running kernel `6.17.2-1-pve`, `6.17.4-1-pve` is installed — reboot to run it',
      },
      {
        severity: 'info',
        text: 'Updates pending: node01 3, node03 3 — incl. kernel `6.17.4-1-pve` (reboot after upgrading), pve-manager 9.1.4',
      },
    ]);
    expect(report.headline).toBe('MonCluster: 1 problem — node02 needs a reboot');
  });

  it('reports a node it could not read, and a read the token may not make, without failing', () => {
    const input = calmInput();
    const refused = { message: 'node unreachable (595 Connection refused)', code: 'PVE_NODE_UNREACHABLE' };
    const node03 = nodeOf(input, 'node03');
    node03.details = {
      errors: { time: refused, certificates: refused, versions: refused, updates: refused },
    };
    for (const name of ['node01', 'node02']) {
      const details = nodeOf(input, name).details;
      if (details) {
        delete details.pendingUpdates;
        details.errors.updates = {
          message: `Permission check failed (/nodes/${name}, Sys.Modify)`,
          code: 'PVE_PERMISSION',
        };
      }
    }
    const report = buildDigest(input, undefined, NOW);
    expect(section(report, 'Nodes')?.lines).toEqual([
      {
        severity: 'warning',
        text: 'node03: online in the cluster, but its reads failed (`node unreachable (595 Connection refused)`): not read',
      },
      {
        severity: 'info',
        text: 'Pending updates not read on node01 and node02: the token needs Sys.Modify on /nodes to read the cached update list (Sys.Audit is not enough)',
      },
    ]);
    expect(report.headline).toBe('MonCluster: 1 problem — node03 not read');
  });

  it('groups busy nodes into one line each for CPU and memory', () => {
    const input = calmInput();
    for (const node of input.nodes) {
      node.cpu = 0.95;
      node.memUsed = 0.93 * 64 * GiB;
    }
    const node01 = nodeOf(input, 'node01');
    node01.memUsed = 0.5 * 64 * GiB;
    const report = buildDigest(input, undefined, NOW);
    expect(section(report, 'Nodes')?.lines.map((l) => l.text)).toEqual([
      'CPU 90 % busy or more on node01 95 %, node02 95 % and node03 95 %',
      'Memory 90 % used or more on node02 93 % and node03 93 %',
    ]);
    expect(report.headline).toBe('MonCluster: 2 problems — CPU busy on 3 nodes, memory short on 2 nodes');
  });

  it('reports a node in HA maintenance', () => {
    const input = calmInput();
    nodeOf(input, 'node02').hastate = 'maintenance';
    expect(section(buildDigest(input, undefined, NOW), 'Nodes')?.lines).toEqual([
      {
        severity: 'warning',
        text: 'node02: in HA maintenance mode — its HA guests run elsewhere until it is disabled (`ha-manager crm-command node-maintenance disable node02`)',
      },
    ]);
  });
});

describe('what changed since the previous digest', () => {
  const previousOf = (input: DigestInput): DigestMemory => ({
    at: NOW - 86_400_000,
    guests: Object.fromEntries(
      input.guests.map((g) => [
        String(g.vmid),
        { ...(g.name ? { name: g.name } : {}), node: g.node, type: g.type },
      ]),
    ),
    nodeBoots: {},
  });

  it('lists reboots, migrations, guests created and removed, as information', () => {
    const input = calmInput();
    const previous = previousOf(input);
    previous.guests['555'] = { name: 'oldvm', node: 'node03', type: 'qemu' };
    delete previous.guests['201'];
    const testVm = input.guests.find((g) => g.vmid === 100);
    if (testVm) testVm.node = 'node02';
    nodeOf(input, 'node03').uptime = 2 * 3600;
    input.tasks = [
      {
        upid: 'UPID:1',
        node: 'node01',
        type: 'qmigrate',
        id: '100',
        endtime: NOW / 1000 - 7000,
        status: 'OK',
      },
      // Migrated away and back: seen in the tasks only.
      {
        upid: 'UPID:2',
        node: 'node02',
        type: 'qmigrate',
        id: '102',
        endtime: NOW / 1000 - 6000,
        status: 'OK',
      },
      {
        upid: 'UPID:3',
        node: 'node01',
        type: 'qmigrate',
        id: '102',
        endtime: NOW / 1000 - 5000,
        status: 'OK',
      },
    ];
    const report = buildDigest(input, previous, NOW);
    expect(report.healthy).toBe(true);
    expect(section(report, 'Since the last digest')).toEqual({
      title: 'Since the last digest (Nov 3 08:00 UTC)',
      lines: [
        { severity: 'info', text: 'node03 rebooted at 06:00 UTC (up 2 h)' },
        { severity: 'info', text: 'TestVM (100) moved node01 → node02' },
        { severity: 'info', text: 'db01 (102) migrated and is back on node02 (2 migrations)' },
        { severity: 'info', text: 'ct-proxy01 (201) created on node01 (container)' },
        { severity: 'info', text: 'oldvm (555) removed (was on node03)' },
      ],
    });
  });

  it('says nothing when nothing changed', () => {
    const input = calmInput();
    expect(section(buildDigest(input, previousOf(input), NOW), 'Since')).toBeUndefined();
  });
});
