// `/pve backup`, `/pve backups`, the digest's backups and `/pve status <guest>`'s last backup,
// against the simulator (vzdump tasks and their logs, archives on a shared Proxmox Backup Server
// and on local storages, the seeded history and nightly job) through the real queue, worker and
// Redis.
import { afterEach, describe, expect, it } from 'vitest';
import { guestOf, type JobHarness, startJobHarness, THREAD } from './helpers/job-harness.js';

let harness: JobHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

async function run(h: JobHarness, kind: string, payload: unknown) {
  const { jobId } = await h.queue.enqueue({ kind, payload, thread: THREAD, requestedBy: 'alice' });
  return h.result(jobId);
}

async function start(): Promise<JobHarness> {
  const h = await startJobHarness({ speed: 200 });
  harness = h;
  await h.worker();
  return h;
}

describe('/pve backup and /pve backups', () => {
  it('backs up TestVM to the backup server; /pve backups then lists that archive first', async () => {
    const h = await start();
    const done = await run(h, 'backup', { guests: [guestOf(h.sim, 100)], storage: 'pbs-backup' });
    expect(done).toMatchObject({ ok: true, summary: 'TestVM (qemu/100) backed up to pbs-backup (snapshot)' });
    // The archive PVE named in the log, what went over the wire, and how long it took.
    expect(done.text).toMatch(
      /^TestVM \(qemu\/100\): vm\/100\/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ on pbs-backup, [\d.]+ \S+ transferred, \d\d:\d\d:\d\d$/,
    );
    const archive = /vm\/100\/\S+Z/.exec(done.text!)![0];
    expect(h.sim.cluster.guest(100)?.lock).toBeUndefined();

    const listed = await run(h, 'backups', { guest: guestOf(h.sim, 100) });
    expect(listed.ok).toBe(true);
    expect(listed.summary).toMatch(
      /^TestVM \(qemu\/100\): \d+ backups on .*pbs-backup.*, the newest \d+ s old$/,
    );
    const lines = listed.text!.split('\n');
    expect(lines[0]).toMatch(
      new RegExp(`^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC · pbs-backup · ${archive} · `),
    );
    expect(lines[0]).toContain('pbs-vm');
    expect(listed.text).toContain('Backup job: backup-nightly (');
  });

  it('backs up guests on two nodes with one vzdump task per node', async () => {
    const h = await start();
    const done = await run(h, 'backup', {
      guests: [guestOf(h.sim, 100), guestOf(h.sim, 102), guestOf(h.sim, 201)],
      storage: 'local',
    });
    expect(done).toMatchObject({ ok: true, summary: '3 guests backed up to local on 2 nodes (snapshot)' });
    const upids = (done.details as { upids: string[] }).upids;
    expect(upids.map((u) => u.split(':')[1])).toEqual(['node01', 'node02']);
    // node01's task is for two guests: PVE leaves its id empty.
    expect(upids[0]).toMatch(/:vzdump::/);
    expect(upids[1]).toMatch(/:vzdump:102:/);
    const lines = done.text!.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^TestVM \(qemu\/100\): vzdump-qemu-100-\S+\.vma\.zst on local, \S+, \d\d:\d\d:\d\d$/,
      ),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^db01 \(qemu\/102\): vzdump-qemu-102-\S+\.vma\.zst on local/),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^ct-proxy01 \(lxc\/201\): vzdump-lxc-201-\S+\.tar\.zst on local/),
    );
    // node02's local is its own disk: /pve backups finds db01's archive there.
    const listed = await run(h, 'backups', { guest: guestOf(h.sim, 102) });
    expect(listed.text).toMatch(/ · local · vzdump-qemu-102-/);
  });

  it("reports a guest that failed with PVE's words, and the others as backed up: partly done, not a success", async () => {
    const h = await start();
    h.sim.cluster.guest(100)!.lock = 'snapshot';
    const done = await run(h, 'backup', {
      guests: [guestOf(h.sim, 100), guestOf(h.sim, 201)],
      storage: 'pbs-backup',
    });
    expect(done.ok).toBe(false);
    expect(done.code).toBe('BACKUP_FAILED');
    expect(done.error).toMatch(/^partly done, 1 of 2 guests backed up to pbs-backup, 1 failed:\n/);
    expect(done.error).toContain('TestVM (qemu/100): failed - VM is locked (snapshot)');
    expect(done.error).toMatch(/ct-proxy01 \(lxc\/201\): ct\/201\/\S+Z on pbs-backup/);

    const alone = await run(h, 'backup', { guests: [guestOf(h.sim, 100)], storage: 'pbs-backup' });
    expect(alone).toMatchObject({
      ok: false,
      code: 'BACKUP_FAILED',
      summary: 'backup failed: TestVM (qemu/100): VM is locked (snapshot)',
    });
  });

  it('says when a guest has no backup, and that no job covers it', async () => {
    const h = await start();
    const listed = await run(h, 'backups', { guest: guestOf(h.sim, 201) });
    expect(listed.summary).toMatch(/^ct-proxy01 \(lxc\/201\) has no backup on any of .*pbs-backup/);
    expect(listed.text).toBe('No backup job covers ct-proxy01 (lxc/201).');
  });
});

describe('backups in the digest and /pve status', () => {
  it('flags the guests without a recent backup and the failed nightly run, naming the guest and its error', async () => {
    const h = await start();
    const digest = await run(h, 'digest', { scheduled: false });
    expect(digest.ok).toBe(true);
    const text = digest.text!;
    expect(text).toContain('Backups');
    // 201 was never backed up; 103's last backup is twelve days old (more than the default 7).
    expect(text).toMatch(/1 guest has no backup: ct-proxy01 \(201\)/);
    expect(text).toMatch(/files01 \(103\): last backup 12 days ago \(.+, .+\), more than 7 days/);
    // Last night's scheduled run on node02 ended `job errors`; its log names db01 and why.
    expect(text).toMatch(/node02: scheduled backup ended `job errors`: db01 \(102\) `[^`]+`/);
    expect(digest.summary).toMatch(/without a backup in 7 days/);

    // A wider limit: 103 is recent enough, 201 is still flagged.
    const lenient = await run(h, 'digest', { scheduled: false, backupMaxAgeDays: 30 });
    expect(lenient.text).not.toContain('files01 (103): last backup');
    expect(lenient.text).toContain('ct-proxy01 (201)');
  });

  it('shows the last backup of a guest in /pve status, flagged when too old', async () => {
    const h = await start();
    const recent = await run(h, 'status', { vmid: 100 });
    expect(recent.text!.split('\n')[1]).toMatch(
      /^Last backup: \d+ h ago \(\d{4}-\d\d-\d\d \d\d:\d\d UTC, pbs-backup\)$/,
    );
    const old = await run(h, 'status', { vmid: 103 });
    expect(old.text!.split('\n')[1]).toMatch(/^⚠ Last backup: 12 days ago \(.+\): no backup in 7 days$/);
    expect(old.details).toMatchObject({ healthy: false });
    const never = await run(h, 'status', { vmid: 201 });
    expect(never.text!.split('\n')[1]).toBe('⚠ Last backup: none on any backup storage: no backup in 7 days');
  });
});
