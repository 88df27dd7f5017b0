import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runSimCommand } from '../../src/app/run-sim-command.js';
import { silentLogger } from '../../src/logger.js';
import { composeSimulator, type RunningSimulator } from '../../src/sim/compose-simulator.js';
import { formatEnvFile, writeEnvFile } from '../../src/sim/env-file.js';
import { parseSimArgs } from '../../src/sim/parse-sim-args.js';
import { fakeDomain } from '../sim/helpers/fake-domain.js';

describe('parseSimArgs', () => {
  it('applies the defaults', () => {
    expect(parseSimArgs([])).toEqual({
      nodes: 3,
      port: 8006,
      sshPort: 2222,
      speed: 1,
      pveVersion: '9.1',
      help: false,
    });
  });

  it('reads every option', () => {
    expect(
      parseSimArgs([
        '--env-file',
        'x.env',
        '--nodes',
        '5',
        '--guests',
        '40',
        '--port',
        '0',
        '--ssh-port',
        '2200',
        '--speed',
        '2.5',
        '--pve-version',
        '8.4',
      ]),
    ).toEqual({
      envFile: 'x.env',
      nodes: 5,
      guests: 40,
      port: 0,
      sshPort: 2200,
      speed: 2.5,
      pveVersion: '8.4',
      help: false,
    });
  });

  it.each([
    [['--nodes', '0'], "--nodes must be a whole number from 1 to 250, got '0'"],
    [['--nodes', 'three'], "--nodes must be a whole number from 1 to 250, got 'three'"],
    [['--port', '70000'], "--port must be a whole number from 0 to 65535, got '70000'"],
    [['--ssh-port', 'x'], "--ssh-port must be a whole number from 0 to 65535, got 'x'"],
    [['--speed=-1'], "--speed must be a number greater than 0 (e.g. 1, 10, 0.5), got '-1'"],
    [['--speed', '0'], "--speed must be a number greater than 0 (e.g. 1, 10, 0.5), got '0'"],
    [['--pve-version', '7.4'], "--pve-version must be 8.4 or 9.1, got '7.4'"],
    [['--bogus'], "Unknown option '--bogus'"],
  ])('refuses %j clearly', (argv, message) => {
    expect(() => parseSimArgs(argv)).toThrow(message);
  });
});

describe('env file', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pve-sim-env-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('writes KEY=value lines that parse back, readable by the owner only', async () => {
    const file = join(dir, 'sim.env');
    await writeFile(file, 'old', { mode: 0o644 });
    const vars = {
      PVE_HOSTS: 'https://127.20.1.101:8006,https://127.20.1.102:8006',
      PVE_TOKEN_SECRET: 'abc-123',
    };
    await writeEnvFile(file, vars);
    const text = await readFile(file, 'utf8');
    expect(text.startsWith('# ')).toBe(true);
    expect(parseEnv(text)).toEqual(vars);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('refuses values a dotenv parser would misread', () => {
    expect(() => formatEnvFile({ A: 'has space' })).toThrow('A would need quoting');
  });
});

describe('runSimCommand', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pve-sim-cmd-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('starts, writes the env file, prints a banner without the secret, and stops on request', async () => {
    let stop!: () => void;
    const stopRequested = new Promise<void>((resolve) => {
      stop = resolve;
    });
    let sim: RunningSimulator | undefined;
    let announced!: () => void;
    const bannerShown = new Promise<void>((resolve) => {
      announced = resolve;
    });
    const output: string[] = [];
    const file = join(dir, 'sim.env');
    const caFile = join(dir, 'ca.pem');
    const argv = [
      '--env-file',
      file,
      '--ca-file',
      caFile,
      '--nodes',
      '2',
      '--port',
      '0',
      '--ssh-port',
      '0',
      '--pve-version',
      '8.4',
    ];
    const running = runSimCommand(argv, {
      start: async (options) => {
        sim = await composeSimulator({ ...options, authFailureDelayMs: 0 }, fakeDomain());
        return sim;
      },
      out: (text) => {
        output.push(text);
        if (text.includes('Press Ctrl+C')) announced();
      },
      err: (text) => output.push(text),
      stopRequested,
      logger: silentLogger,
    });
    await bannerShown;
    const started = sim as RunningSimulator;
    const banner = output.join('');
    expect(banner).toContain("Proxmox VE 8.4 cluster 'MonCluster'");
    expect(banner).toContain(`node02  ${started.hosts[1]}  ${started.fingerprints[1]}`);
    expect(banner).toContain('API token: chatops@pve!bot');
    expect(banner).not.toContain(started.tokenSecret);
    expect(banner).toContain(`SSH: user root, port ${started.ssh.port} on every node's address`);
    // The SSH key and known_hosts sit next to the env file, which names them.
    const files = { keyFile: `${file}.ssh_key`, knownHostsFile: `${file}.known_hosts` };
    const vars = parseEnv(await readFile(file, 'utf8'));
    expect(vars).toEqual(started.env(files));
    expect(vars).toMatchObject({ SSH_USER: 'root', SSH_PORT: String(started.ssh.port) });
    expect(await readFile(files.keyFile, 'utf8')).toBe(started.ssh.clientPrivateKey);
    expect((await stat(files.keyFile)).mode & 0o777).toBe(0o600);
    expect(await readFile(files.knownHostsFile, 'utf8')).toBe(started.ssh.knownHosts);
    expect(banner).not.toContain(started.ssh.clientPrivateKey.split('\n')[1]);
    expect(await readFile(caFile, 'utf8')).toBe(started.caPem);

    stop();
    await running;
    expect(started.cluster).toMatchObject({ closed: true });
  });

  it('prints the usage and sets exit code 2 for a bad option', async () => {
    const errors: string[] = [];
    const previous = process.exitCode;
    try {
      await runSimCommand(['--nodes', '-2'], { err: (text) => errors.push(text), out: () => {} });
      expect(process.exitCode).toBe(2);
    } finally {
      process.exitCode = previous;
    }
    expect(errors.join('')).toContain('Usage: pve-chatops sim');
  });
});
