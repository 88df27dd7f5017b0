// The vzdump log parser against the task logs of the conformance corpus (real lines from
// pve-manager's VZDump.pm and a PBS capture), and a two-guest task built from those lines.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  archiveName,
  parseVzdumpLog,
  vzdumpOverallPercent,
  vzdumpPercent,
} from '../../../src/jobs/backups/vzdump-log.js';

function fixtureLines(name: string): string[] {
  const url = new URL(`../../conformance/pve/fixtures/backups/${name}.9.json`, import.meta.url);
  const fixture = JSON.parse(readFileSync(url, 'utf8')) as { response: { body: { data: { t: string }[] } } };
  return fixture.response.body.data.map((line) => line.t);
}

describe('parseVzdumpLog', () => {
  it('reads the archive, size and duration of a backup to a directory storage', () => {
    const log = parseVzdumpLog(fixtureLines('vzdump-task-log-dir'));
    expect(log.finished).toBe('successfully');
    expect(log.jobError).toBeUndefined();
    expect(log.current).toBeUndefined();
    expect(log.guests).toEqual([
      {
        vmid: 100,
        type: 'qemu',
        archive: '/var/lib/vz/dump/vzdump-qemu-100-2026_04_14-02_00_02.vma.zst',
        archiveKind: 'file',
        size: '2.31GB',
        transferred: '32.00 GiB',
        duration: '00:00:23',
        finished: true,
        percent: 100,
      },
    ]);
    expect(archiveName(log.guests[0]!.archive!)).toBe('vzdump-qemu-100-2026_04_14-02_00_02.vma.zst');
  });

  it('reads a Proxmox Backup Server snapshot and what was transferred', () => {
    const [guest] = parseVzdumpLog(fixtureLines('vzdump-task-log-pbs')).guests;
    expect(guest).toMatchObject({
      vmid: 100,
      archive: 'vm/100/2026-01-16T16:26:33Z',
      archiveKind: 'pbs',
      transferred: '628.00 MiB',
      duration: '00:00:05',
      finished: true,
    });
    expect(guest?.size).toBeUndefined();
    expect(archiveName(guest!.archive!)).toBe('vm/100/2026-01-16T16:26:33Z');
  });

  it("keeps PVE's words for a guest that failed, and 'job errors' is no job-level error", () => {
    const log = parseVzdumpLog(fixtureLines('vzdump-task-log-locked'));
    expect(log.finished).toBe('with errors');
    expect(log.jobError).toBeUndefined();
    expect(log.guests).toEqual([
      { vmid: 100, type: 'qemu', error: 'VM is locked (snapshot)', finished: false },
    ]);
  });

  it('tells a job that failed before any guest (a storage problem)', () => {
    const log = parseVzdumpLog([
      'INFO: starting new backup job: vzdump 100 --storage iso --mode snapshot',
      "TASK ERROR: could not get storage information for 'iso': can't use storage 'iso' for backups - wrong content type",
    ]);
    expect(log.guests).toEqual([]);
    expect(log.jobError).toBe(
      "could not get storage information for 'iso': can't use storage 'iso' for backups - wrong content type",
    );
  });

  it('follows a task for several guests: each its own archive or error, and the progress of the whole', () => {
    const dir = fixtureLines('vzdump-task-log-dir');
    const locked = fixtureLines('vzdump-task-log-locked').map((l) => l.replaceAll('VM 100', 'VM 102'));
    const first = dir.slice(1, 15); // VM 100 up to its 54% line
    const partial = parseVzdumpLog([dir[0]!, ...first]);
    expect(partial.current).toBe(100);
    expect(vzdumpOverallPercent(partial, 2)).toBe(27);
    const whole = parseVzdumpLog([
      dir[0]!,
      ...dir.slice(1, -3),
      ...locked.slice(1, 6),
      locked[6]!,
      locked[7]!,
    ]);
    expect(whole.guests.map((g) => [g.vmid, g.finished, g.error])).toEqual([
      [100, true, undefined],
      [102, false, 'VM is locked (snapshot)'],
    ]);
    expect(whole.finished).toBe('with errors');
    expect(vzdumpOverallPercent(whole, 2)).toBe(100);
  });

  it('reads the percentage of a progress line, and only of one', () => {
    expect(
      vzdumpPercent('INFO:  54% (17.4 GiB of 32.0 GiB) in 12s, read: 1.5 GiB/s, write: 198.7 MiB/s'),
    ).toBe(54);
    expect(
      vzdumpPercent('INFO: 100% (628.0 MiB of 628.0 MiB) in 3s, read: 209.3 MiB/s, write: 209.3 MiB/s'),
    ).toBe(100);
    expect(vzdumpPercent('INFO: backup is sparse: 26.84 GiB (83%) total zero data')).toBeUndefined();
    expect(vzdumpPercent('INFO: backup was done incrementally, reused 59.39 GiB (98%)')).toBeUndefined();
  });
});
