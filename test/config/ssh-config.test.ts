import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

function sshFiles(): { SSH_KEY_FILE: string; SSH_KNOWN_HOSTS: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ssh-config-'));
  const keyFile = join(dir, 'id_ed25519');
  const knownHosts = join(dir, 'known_hosts');
  writeFileSync(keyFile, 'not read by the config reader\n');
  writeFileSync(knownHosts, '');
  return { SSH_KEY_FILE: keyFile, SSH_KNOWN_HOSTS: knownHosts };
}

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return [...(error as ConfigError).problems];
  }
  throw new Error('expected a ConfigError');
}

describe('SSH configuration', () => {
  it('defaults the user to root and the port to 22', () => {
    const files = sshFiles();
    const config = loadConfig({ env: files });
    expect(config.ssh).toEqual({
      user: 'root',
      keyFile: files.SSH_KEY_FILE,
      knownHostsFile: files.SSH_KNOWN_HOSTS,
      port: 22,
    });
  });

  it('reads SSH_PORT (the simulator listens on 2222)', () => {
    const config = loadConfig({ env: { ...sshFiles(), SSH_PORT: '2222' } });
    expect(config.ssh?.port).toBe(2222);
  });

  it.each(['0', '65536', 'ssh', '22.5', '-22', '2e3'])('refuses SSH_PORT=%s with the range', (value) => {
    const problems = problemsOf(() => loadConfig({ env: { ...sshFiles(), SSH_PORT: value } }));
    expect(problems).toEqual([expect.stringMatching(/^SSH_PORT: .*1 to 65535.*/)]);
    expect(problems[0]).toContain(`'${value}'`);
  });

  it('reports a bad SSH_PORT even while SSH is otherwise off, without switching SSH on', () => {
    expect(problemsOf(() => loadConfig({ env: { SSH_PORT: 'twenty-two' } }))).toHaveLength(1);
    expect(loadConfig({ env: { SSH_PORT: '2222' } }).ssh).toBeUndefined();
  });
});
