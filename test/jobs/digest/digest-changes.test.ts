// "What changed since the previous digest" on the simulated cluster: a live migration, a node
// that rebooted, a guest cloned and one removed, against the memory the previous digest left.
import { describe, expect, it } from 'vitest';
import { buildDigest } from '../../../src/jobs/digest/build-digest.js';
import { collectDigest } from '../../../src/jobs/digest/collect-digest.js';
import { memoryOf } from '../../../src/jobs/digest/digest-memory.js';
import { FAST_POLL, useSimulatedCluster } from '../../proxmox/helpers/simulated-cluster.js';
import { withoutBackups } from './helpers/digest-fixture.js';

const cluster = useSimulatedCluster();

describe('what changed since the previous digest', () => {
  it('lists the reboot, the migration, the guest created and the one removed', async () => {
    const { sim } = cluster;
    const pve = cluster.client();
    // Yesterday's digest, dated a minute back so that nothing below shares its second.
    const yesterday = memoryOf(await collectDigest(pve));
    const previous = { ...yesterday, at: yesterday.at - 60_000 };

    const [testVm] = await pve.findGuests('TestVM');
    const [template] = await pve.findGuests('debian12-tmpl');
    if (!testVm || !template) throw new Error('guests missing');
    await pve.migrate(testVm, 'node02', { pollInterval: FAST_POLL });
    const clone = await pve.clone(template, { name: 'web02', full: true });
    await pve.waitForTask(clone.upid, { pollInterval: FAST_POLL });
    sim.cluster.removeGuest(201); // ct-proxy01, stopped on node01
    await sim.faults.nodeDown('node03');
    await sim.faults.nodeUp('node03');

    const input = withoutBackups(await collectDigest(pve));
    const report = buildDigest(input, previous, Date.now());
    const changes = report.sections.find((s) => s.title.startsWith('Since the last digest ('));
    expect(changes?.lines.map((l) => `${l.severity} ${l.text}`)).toEqual([
      expect.stringMatching(/^info node03 rebooted at \d\d:\d\d UTC \(up \d+ s\)$/),
      'info TestVM (100) moved node01 → node02',
      `info web02 (${clone.newid}) created on node01 (VM)`,
      'info ct-proxy01 (201) removed (was on node01)',
    ]);
    // Changes are news, not problems.
    expect(report.sections.flatMap((s) => s.lines).filter((l) => l.severity !== 'info')).toEqual([]);

    // Without a previous digest: the last 24 h, from the tasks and the boot times alone.
    const alone = buildDigest(input, undefined, Date.now());
    expect(alone.sections.find((s) => s.title === 'In the last 24 h')?.lines.map((l) => l.text)).toEqual([
      expect.stringMatching(/^node03 rebooted at /),
      'TestVM (100) moved node01 → node02',
    ]);
  });
});
