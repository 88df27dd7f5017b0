import { describe, expect, it } from 'vitest';
import { findGuests } from '../../src/proxmox/find-guests.js';
import type { GuestResource } from '../../src/proxmox/schemas/cluster-schemas.js';
import { isTaskSuccess } from '../../src/proxmox/task-api.js';
import { progressFromLogLine } from '../../src/proxmox/task-progress.js';

describe('progressFromLogLine', () => {
  it('reads the percentage of a clone line', () => {
    expect(progressFromLogLine('drive-scsi0: transferred 1.0 GiB of 32.0 GiB (3.12%) in 2s')).toBe(3.12);
  });

  it('computes the percentage of a migration transfer line across units', () => {
    expect(
      progressFromLogLine('2024-07-15 10:00:01 migration active, transferred 512.0 MiB of 2.0 GiB VM-state'),
    ).toBe(25);
  });

  it('reads vzdump’s progress lines, and not the share of zeros in its summary', () => {
    expect(
      progressFromLogLine('INFO:  54% (17.4 GiB of 32.0 GiB) in 12s, read: 1.5 GiB/s, write: 198.7 MiB/s'),
    ).toBe(54);
    expect(progressFromLogLine('INFO: 100% (628.0 MiB of 628.0 MiB) in 3s, read: 209.3 MiB/s')).toBe(100);
    expect(progressFromLogLine('INFO: backup is sparse: 26.84 GiB (83%) total zero data')).toBeUndefined();
  });

  it('returns undefined for other lines', () => {
    expect(progressFromLogLine("starting migration of VM 100 to node 'node03'")).toBeUndefined();
  });
});

describe('isTaskSuccess', () => {
  it('accepts OK and WARNINGS: n only', () => {
    expect(
      ['OK', 'WARNINGS: 2', 'migration aborted', 'unexpected status', undefined].map(isTaskSuccess),
    ).toEqual([true, true, false, false, false]);
  });
});

describe('findGuests', () => {
  const guests = [
    { id: 'qemu/100', type: 'qemu', vmid: 100, node: 'node01', name: 'TestVM' },
    { id: 'lxc/200', type: 'lxc', vmid: 200, node: 'node03', name: 'testvm' },
    { id: 'qemu/101', type: 'qemu', vmid: 101, node: 'node02', name: 'web01' },
  ] as GuestResource[];

  it('matches names case-insensitively and returns every match', () => {
    expect(findGuests(guests, 'TESTVM').map((g) => g.vmid)).toEqual([100, 200]);
  });

  it('matches a vmid', () => {
    expect(findGuests(guests, '101').map((g) => g.name)).toEqual(['web01']);
    expect(findGuests(guests, 'nope')).toEqual([]);
  });
});
