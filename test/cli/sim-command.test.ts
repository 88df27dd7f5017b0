// `pve-chatops sim --env-file FILE` as a user runs it: a separate process, its env file read by
// our own config loader, and a pinned-fingerprint client listing TestVM from node01.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { ProxmoxClient } from '../../src/proxmox/proxmox-client.js';

const cli = new URL('../../src/app/cli.ts', import.meta.url).pathname;

describe('pve-chatops sim', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('serves MonCluster and writes an env file whose token and fingerprints work', async () => {
    dir = await mkdtemp(join(tmpdir(), 'pve-sim-cli-'));
    const envFile = join(dir, 'sim.env');
    // The same argument order as `npm run sim -- --env-file FILE`: the file does not exist yet.
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', cli, '--', 'sim', '--env-file', envFile, '--port', '0', '--ssh-port', '0'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Press Ctrl+C')) resolve();
      });
      child.stderr.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.once('exit', (code) => reject(new Error(`sim exited early (${code}):\n${output}`)));
    });

    const config = loadConfig({ env: {}, envFile, needs: ['pve'] });
    const pve = config.pve!;
    expect(pve.tls.mode).toBe('fingerprints');
    expect(pve.hosts[0]).toMatch(/^https:\/\/127\.20\.1\.101:\d+$/);
    expect(output).not.toContain(pve.tokenSecret);

    const client = new ProxmoxClient({
      hosts: [pve.hosts[0]!],
      tokenId: pve.tokenId,
      tokenSecret: pve.tokenSecret,
      fingerprints: pve.tls.mode === 'fingerprints' ? pve.tls.fingerprints : [],
      logger: silentLogger,
    });
    try {
      const guests = await client.clusterResources('vm');
      expect(guests.find((g) => g.name === 'TestVM')).toMatchObject({
        vmid: 100,
        node: 'node01',
        type: 'qemu',
      });
      expect((await client.clusterStatus()).clusterName).toBe('MonCluster');
    } finally {
      await client.close();
    }

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('Stopping the simulator');
  });
});
