import { describe, expect, it } from 'vitest';
import { commandLine, type SshCommand } from '../../../src/proxmox/ssh/ssh-command.js';

describe('commandLine', () => {
  it('builds the four command lines exactly', () => {
    expect(commandLine({ kind: 'apt-update' })).toBe('apt-get update');
    expect(commandLine({ kind: 'dist-upgrade' })).toBe(
      'DEBIAN_FRONTEND=noninteractive apt-get -y -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold dist-upgrade',
    );
    expect(commandLine({ kind: 'reboot-required' })).toBe('test -f /var/run/reboot-required');
    expect(commandLine({ kind: 'node-maintenance', action: 'enable', node: 'pve1' })).toBe(
      'ha-manager crm-command node-maintenance enable pve1',
    );
    expect(commandLine({ kind: 'node-maintenance', action: 'disable', node: 'node-02' })).toBe(
      'ha-manager crm-command node-maintenance disable node-02',
    );
  });

  it.each([
    'node01; rm -rf /',
    '$(x)',
    '`id`',
    'node01 && reboot',
    'node01\nreboot',
    '-rf',
    'node01-',
    'node_01',
    '',
    'a'.repeat(64),
  ])('refuses the node name %j', (node) => {
    expect(() => commandLine({ kind: 'node-maintenance', action: 'enable', node })).toThrow(
      /not a PVE node name/,
    );
  });

  it('accepts the longest name PVE allows', () => {
    expect(commandLine({ kind: 'node-maintenance', action: 'enable', node: 'a'.repeat(63) })).toContain(
      'a'.repeat(63),
    );
  });

  it('refuses what only an unchecked JSON value could hold', () => {
    const action = {
      kind: 'node-maintenance',
      action: 'enable; reboot',
      node: 'pve1',
    } as unknown as SshCommand;
    expect(() => commandLine(action)).toThrow(/enable or disable/);
    expect(() => commandLine({ kind: 'reboot' } as unknown as SshCommand)).toThrow(/unknown SSH command/);
  });
});
