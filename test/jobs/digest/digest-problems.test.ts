// A bad morning on the simulated cluster: each problem made the way it arises on real PVE, then
// one digest over HTTPS that reports every one, worded helpfully, at its severity, in order.
import { describe, expect, it } from 'vitest';
import { buildDigest, renderDigestText } from '../../../src/jobs/digest/build-digest.js';
import { collectDigest } from '../../../src/jobs/digest/collect-digest.js';
import { memoryOf } from '../../../src/jobs/digest/digest-memory.js';
import { isPveError, PveErrorCode } from '../../../src/proxmox/pve-error.js';
import { installPendingUpdates } from '../../../src/sim/cluster/node-upgrade.js';
import { FAST_POLL, useSimulatedCluster } from '../../proxmox/helpers/simulated-cluster.js';
import { withoutBackups } from './helpers/digest-fixture.js';

const cluster = useSimulatedCluster();
const DAY_MS = 86_400_000;

describe('the digest of a cluster with problems', () => {
  it('reports each one at its severity, most urgent first, with PVE’s own error texts', async () => {
    const { sim } = cluster;
    const pve = cluster.client();
    const previous = memoryOf(await collectDigest(pve));

    // A start that failed since the previous digest.
    sim.faults.failNextTask('qmstart', 'start failed: QEMU exited with code 1');
    const [files01] = await pve.findGuests('files01');
    if (!files01) throw new Error('no files01');
    await expect(pve.waitForTask(await pve.start(files01), { pollInterval: FAST_POLL })).rejects.toSatisfy(
      (error) => isPveError(error, PveErrorCode.TaskFailed),
    );
    // HA gave up on web01.
    sim.cluster.ha.failService('vm:101');
    // files01 gets a second replication job; node03's pvescheduler stopped an hour ago, and the
    // first job's runs fail in the export/import pipe.
    await sim.cluster.replication.create({ id: '103-1', target: 'node02', schedule: '*/15' });
    sim.cluster.replication.stopScheduler('node03', Date.now() - 3_600_000);
    sim.cluster.replication.failRuns('103-0');
    await sim.cluster.replication.run('103-0');
    // node02 was upgraded without the reboot, and its clock runs 30 s ahead.
    installPendingUpdates(sim.cluster.node('node02'));
    sim.cluster.setNodeClockOffset('node02', 30);
    // Backups filled node01's local storage; node03's certificate ends in 10 days.
    sim.cluster.fillStorage('local', 0.86, 'node01');
    const expiry = Date.now() + 10 * DAY_MS;
    sim.cluster.setCertificateExpiry('node03', expiry);

    const input = withoutBackups(await collectDigest(pve));
    const report = buildDigest(input, previous, Date.now());

    expect(report.healthy).toBe(false);
    expect(report.sections.map((s) => s.title)).toEqual([
      'HA',
      'Replication',
      'Storage',
      'Certificates',
      'Clocks',
      'Failed tasks',
      'Updates',
      'Cluster',
    ]);
    const texts = Object.fromEntries(
      report.sections.map((s) => [s.title, s.lines.map((l) => `${l.severity} ${l.text}`)]),
    );
    expect(texts.HA).toEqual([
      'critical web01 (vm:101) on node02: HA error state — HA gave up starting it. Fix the cause, then `ha-manager set vm:101 --state disabled` and set it back to `started`',
    ]);
    expect(texts.Replication).toEqual([
      expect.stringMatching(
        /^warning 103-0 files01 \(103\) node03 → node01: failed once, last success 1 h ago: `command 'set -o pipefail && pvesm export local-zfs:vm-103-disk-0 zfs .* … .* failed: exit code 1`$/,
      ),
      expect.stringMatching(
        /^warning 103-1 files01 \(103\) node03 → node02: late — last sync 1 h ago, next run due \d+ min ago \(schedule `\*\/15`\); is pvescheduler running on node03\?$/,
      ),
    ]);
    expect(texts.Storage).toEqual(['warning local on node01: 86 % used (84 GiB of 98 GiB)']);
    expect(texts.Certificates).toEqual([
      `warning node03: \`pve-ssl.pem\` expires in 10 days (${new Date(expiry).toISOString().slice(0, 10)}) — renew it with \`pvecm updatecerts --force\` on the node`,
    ]);
    expect(texts.Clocks).toEqual([
      'warning node02: clock 30 s ahead of the other nodes — check its time sync (`chronyc tracking`)',
    ]);
    expect(texts['Failed tasks']).toEqual([
      expect.stringMatching(
        /^warning \d\d:\d\d UTC node03: start of files01 \(103\) failed: `start failed: QEMU exited with code 1`$/,
      ),
    ]);
    expect(texts.Updates).toEqual([
      'warning node02: running kernel `6.17.2-1-pve`, `6.17.4-1-pve` is installed — reboot to run it',
      'info Updates pending: node01 6, node03 8 — incl. kernel `6.17.4-1-pve` (reboot after upgrading), pve-manager 9.1.4',
    ]);
    expect(report.headline).toBe(
      'MonCluster: 8 problems — HA error: web01 (101), replication 103-0 failing, replication 103-1 late, …',
    );
    expect(texts.Cluster?.every((line) => line.startsWith('info '))).toBe(true);

    const text = renderDigestText(report);
    expect(text.startsWith('HA\n🔴 web01 (vm:101) on node02: HA error state')).toBe(true);
    expect(text).toContain('\n\nClocks\n🟠 node02: clock 30 s ahead of the other nodes');
  });
});
