// The target of a running migration, read from its task log as PVE writes it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { migrationTargetOf } from '../../src/proxmox/migration-target.js';

function capturedLog(file: string): string[] {
  const fixture = JSON.parse(
    readFileSync(new URL(`../conformance/pve/fixtures/tasks/${file}`, import.meta.url), 'utf8'),
  ) as { response: { body: { data: { t: string }[] } } };
  return fixture.response.body.data.map((line) => line.t);
}

describe('migrationTargetOf', () => {
  it('reads the target from real captured migration logs (PVE 9.x and 8.4)', () => {
    for (const file of ['task-log-migration-live.9.json', 'task-log-migration-live.8.json']) {
      const target = migrationTargetOf(capturedLog(file));
      expect(target, file).toBeDefined();
      expect(target?.guestType).toBe('VM');
    }
    expect(migrationTargetOf(capturedLog('task-log-migration-live.9.json'))).toEqual({
      guestType: 'VM',
      vmid: 101,
      target: 'node03',
    });
  });

  it('reads a container migration (pve-container LXC/Migrate.pm phase1)', () => {
    expect(
      migrationTargetOf(["2025-11-14 21:47:40 starting migration of CT 201 to node 'node02' (192.0.2.12)"]),
    ).toEqual({ guestType: 'CT', vmid: 201, target: 'node02' });
  });

  it('knows no target before phase 1 has begun', () => {
    expect(migrationTargetOf(['task started by HA resource agent'])).toBeUndefined();
    expect(migrationTargetOf([])).toBeUndefined();
  });
});
