// PVE's notifications as alerts: the type, the trimmed title, the fields read from PVE's message
// texts (failed guests, replication target, packages), short messages on the card and long ones
// as a file, and the commands each offers as buttons.
import { describe, expect, it } from 'vitest';
import { alertSchema } from '../../../src/jobs/alerts/alert.js';
import { alertOfNotification, parseVzdumpMessage } from '../../../src/jobs/alerts/pve-notification-alert.js';
import { delivery } from './delivery-fixtures.js';

const alertOf = (name: Parameters<typeof delivery>[0]) =>
  alertSchema.parse(alertOfNotification(delivery(name).parsed));

describe('PVE notifications as alerts', () => {
  it('a failed guest backup: its failed guest and reason, Retry backup on its storage, Show log', () => {
    const alert = alertOf('vzdump-failure-guest');
    expect(alert).toMatchObject({
      key: 'pve:vzdump:node01:1776200442',
      source: 'pve',
      type: 'vzdump',
      severity: 'error',
      title: 'vzdump backup status (node01.example.com): backup failed',
      state: 'event',
      at: 1776200442000,
    });
    expect(alert.fields).toEqual([
      { label: 'Node', value: 'node01' },
      { label: 'Job', value: 'backup-3f1a2b4c-5d6e' },
      { label: 'Failed', value: 'TestVM (100)' },
      { label: 'Backed up', value: 'ct-proxy01 (201)' },
    ]);
    expect(alert.offers).toEqual([
      { label: 'Retry backup', command: 'backup 100 --storage local' },
      { label: 'Show log', command: 'tasks node01 --failed' },
    ]);
    // 25 lines: the whole message goes as a file, the card says why it failed.
    expect(alert.log?.name).toBe('vzdump-node01-20260414-210042.txt');
    expect(alert.log?.text).toBe(delivery('vzdump-failure-guest').parsed.message);
    expect(alert.text).toBe('TestVM (100): VM is locked (snapshot)');
  });

  it('a job-level backup failure names no guest: Show log, no Retry; short, so on the card', () => {
    const alert = alertOf('vzdump-failure-job');
    expect(alert.title).toBe(
      "vzdump backup status (node01.example.com): backup failed: could not activate storage 'local': storage 'local' is disabled",
    );
    expect(alert.offers).toEqual([{ label: 'Show log', command: 'tasks node01 --failed' }]);
    expect(alert.log).toBeUndefined();
    expect(alert.text).toMatch(/^Details\n=======\nVMID {4}Name {4}Status/);
  });

  it('a successful backup offers nothing to do', () => {
    const alert = alertOf('vzdump-success');
    expect(alert.severity).toBe('info');
    expect(alert.offers).toEqual([]);
    expect(alert.fields).toContainEqual({ label: 'Backed up', value: 'TestVM (100), ct-proxy01 (201)' });
  });

  it('reads failed guests from the ERROR lines when the table does not name them', () => {
    const parsed = parseVzdumpMessage(
      'vzdump 102 --storage pbs-backup --mode snapshot\n102: 2026-04-14 21:00:03 ERROR: Backup of VM 102 failed - job errors\n',
    );
    expect(parsed.failed).toEqual([102]);
    expect(parsed.storage).toBe('pbs-backup');
    expect(parsed.reasons.get(102)).toBe('job errors');
  });

  it('a failed replication: target, failures and error as fields, Run now', () => {
    const alert = alertOf('replication-failure');
    expect(alert.title).toBe("Replication Job: '103-0' failed");
    expect(alert.fields).toEqual([
      { label: 'Node', value: 'node03' },
      { label: 'Job', value: '103-0' },
      { label: 'Target', value: 'node01' },
      { label: 'Failures', value: '1' },
      { label: 'Error', value: "volume 'local-zfs:vm-103-disk-0' already exists on target node 'node01'" },
    ]);
    expect(alert.offers).toEqual([{ label: 'Run now', command: 'replication run 103-0' }]);
  });

  it('package updates: the packages, Plan upgrade of that node', () => {
    const alert = alertOf('package-updates');
    expect(alert.fields).toContainEqual({ label: 'Packages', value: 'pve-manager, proxmox-kernel-6.17' });
    expect(alert.offers).toEqual([{ label: 'Plan upgrade', command: 'upgrade node01' }]);
  });

  it('fencing names the fenced node; system mail and the Test button are shown as they come', () => {
    const fencing = alertOf('fencing-start');
    expect(fencing.fields).toEqual([{ label: 'Fenced node', value: 'node02' }]);
    expect(fencing.key).toBe('pve:fencing:node02:1776200520');
    expect(
      alertSchema.parse(alertOfNotification(delivery('fencing-success').parsed, { continues: fencing.key }))
        .key,
    ).toBe(fencing.key);
    const mail = alertOf('system-mail');
    expect(mail).toMatchObject({ type: 'system-mail', severity: 'unknown', offers: [] });
    expect(mail.text).toContain('Device: /dev/sda [SAT], 8 Currently unreadable (pending) sectors');
    const test = alertOf('test');
    expect(test).toMatchObject({
      type: 'other',
      key: 'pve:other:cluster:1776196800',
      title: 'Test notification',
    });
  });
});
