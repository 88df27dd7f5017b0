// A rolling upgrade's node step as the bot runs it: apt-get update and dist-upgrade over SSH,
// checked through the HTTPS API, then a reboot into the new kernel.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NEW_KERNEL, RUNNING_KERNEL } from '../../src/sim/cluster/node-packages.js';
import { APT_COMMANDS } from '../../src/sim/commands/apt-commands.js';
import { type RunningSimulator, type SimCluster, startSimulator } from '../../src/sim/simulator.js';
import { eventually } from './helpers/eventually.js';
import { call } from './helpers/https-call.js';
import { sshConnect, sshExec, sshRun } from './helpers/ssh-client.js';

type Entry = Record<string, unknown>;

function apiOf(sim: RunningSimulator<SimCluster>) {
  return async (method: string, path: string, body?: Record<string, string>): Promise<unknown> => {
    const options: Parameters<typeof call>[4] = {
      headers: { Authorization: `PVEAPIToken=${sim.tokenId}=${sim.tokenSecret}` },
    };
    if (body) options.body = body;
    // Ask node02: node01 is the one being upgraded and rebooted.
    const res = await call(sim.hosts[1] as string, sim.caPem, method, `/api2/json${path}`, options);
    if (res.status !== 200) throw new Error(`${method} ${path}: ${res.status} ${res.statusText}`);
    return (res.json as { data: unknown }).data;
  };
}

describe('package upgrades over SSH', () => {
  let sim: RunningSimulator<SimCluster>;
  let api: ReturnType<typeof apiOf>;
  beforeAll(async () => {
    sim = await startSimulator({ port: 0, speed: 100, authFailureDelayMs: 0 });
    api = apiOf(sim);
  });
  afterAll(() => sim.stop());

  it('apt-get update streams the sources it checks and ends with the package lists', async () => {
    const client = await sshConnect(sim, 'node01');
    try {
      const chunks: string[] = [];
      const result = await sshExec(client, APT_COMMANDS.update, (text) => chunks.push(text));
      expect(result.code).toBe(0);
      expect(result.stderr).toBe('');
      expect(chunks.length).toBeGreaterThan(3);
      const lines = result.stdout.trimEnd().split('\n');
      expect(lines[0]).toBe('Hit:1 http://deb.debian.org/debian trixie InRelease');
      expect(lines).toContain(
        'Get:6 http://download.proxmox.com/debian/pve trixie/pve-no-subscription amd64 Packages [312 kB]',
      );
      expect(lines.at(-1)).toBe('Reading package lists...');
    } finally {
      client.end();
    }
  });

  it('dist-upgrade installs what is pending, sets reboot-required, and a reboot runs the new kernel', async () => {
    const pending = (await api('GET', '/nodes/node01/apt/update')) as Entry[];
    expect(pending.length).toBeGreaterThan(0);
    const manager = pending.find((p) => p.Package === 'pve-manager');
    expect(manager).toMatchObject({ OldVersion: '9.1.3', Version: '9.1.4' });
    expect((await sshRun(sim, 'node01', APT_COMMANDS.rebootRequired)).code).toBe(1);

    const upgrade = await sshRun(sim, 'node01', APT_COMMANDS.distUpgrade);
    expect(upgrade.stderr).toBe('');
    expect(upgrade.code).toBe(0);
    const out = upgrade.stdout;
    const lines = out.trimEnd().split('\n');
    expect(lines.slice(0, 4)).toEqual([
      'Reading package lists...',
      'Building dependency tree...',
      'Reading state information...',
      'Calculating upgrade...',
    ]);
    expect(out).toContain(
      `The following NEW packages will be installed:\n  proxmox-kernel-${NEW_KERNEL}-signed\n`,
    );
    expect(out).toContain('The following packages will be upgraded:\n');
    expect(out).toContain(
      `${pending.length - 1} upgraded, 1 newly installed, 0 to remove and 0 not upgraded.\n`,
    );
    expect(out).toMatch(/^Need to get [\d.,]+ [kM]B of archives\.$/m);
    expect(out).toMatch(
      /^Get:1 http:\/\/download\.proxmox\.com\/debian\/pve trixie\/pve-no-subscription amd64 /m,
    );
    expect(out).toContain('Unpacking pve-manager (9.1.4) over (9.1.3) ...\n');
    expect(out).toContain(`update-initramfs: Generating /boot/initrd.img-${NEW_KERNEL}\n`);
    expect(out).toContain('Generating grub configuration file ...\n');
    expect(out).toContain('Setting up pve-manager (9.1.4) ...\n');
    expect(out).toMatch(/^Processing triggers for /m);
    for (const pkg of pending) expect(out).toContain(`Setting up ${pkg.Package} (${pkg.Version}) ...\n`);

    // The API sees the upgrade: nothing pending, new versions, new pve-manager; old kernel still runs.
    expect(await api('GET', '/nodes/node01/apt/update')).toEqual([]);
    const versions = new Map(
      ((await api('GET', '/nodes/node01/apt/versions')) as Entry[]).map((v) => [v.Package, v]),
    );
    for (const pkg of pending)
      expect(versions.get(pkg.Package)).toMatchObject({ Version: pkg.Version, OldVersion: pkg.Version });
    expect(versions.get('proxmox-ve')).toMatchObject({ RunningKernel: RUNNING_KERNEL });
    expect(versions.get('pve-manager')).toMatchObject({ ManagerVersion: '9.1.4/5ac30304265fbd8e' });
    expect(await api('GET', '/nodes/node01/version')).toMatchObject({ version: '9.1.4' });
    expect(((await api('GET', '/nodes/node01/status')) as Entry).pveversion).toMatch(
      /^pve-manager\/9\.1\.4\//,
    );
    expect(
      ((await api('GET', '/nodes/node01/status')) as { 'current-kernel': Entry })['current-kernel'],
    ).toMatchObject({
      release: RUNNING_KERNEL,
    });
    expect((await sshRun(sim, 'node01', APT_COMMANDS.rebootRequired)).code).toBe(0);
    // Other nodes are untouched.
    expect(((await api('GET', '/nodes/node02/apt/update')) as Entry[]).length).toBeGreaterThan(0);

    expect(await api('POST', '/nodes/node01/status', { command: 'reboot' })).toBeNull();
    await eventually(async () => !sim.cluster.isNodeOnline('node01'), 'node01 down');
    const status = await eventually(async () => {
      const current = (await api('GET', '/nodes/node01/status')) as { 'current-kernel': Entry };
      return current['current-kernel'].release === NEW_KERNEL && current;
    }, 'node01 back on the new kernel');
    expect(status['current-kernel']).toMatchObject({ release: NEW_KERNEL });
    const check = await eventually(
      () => sshRun(sim, 'node01', APT_COMMANDS.rebootRequired),
      'sshd on node01',
    );
    expect(check).toEqual({ code: 1, stdout: '', stderr: '' });

    // Nothing left: apt says so and succeeds.
    const again = await sshRun(sim, 'node01', APT_COMMANDS.distUpgrade);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n');
    expect(again.stdout).not.toContain('Setting up');
  });

  it('failNextUpgrade: dpkg fails, apt exits 100, nothing counts as installed; the next try works', async () => {
    const before = sim.cluster.node('node02').pendingUpdates.length;
    sim.faults.failNextUpgrade('node02');
    const failed = await sshRun(sim, 'node02', APT_COMMANDS.distUpgrade);
    expect(failed.code).toBe(100);
    expect(failed.stdout).toContain('Unpacking pve-manager (9.1.4) over (9.1.3) ...\n');
    expect(failed.stdout).toContain('Setting up pve-manager (9.1.4) ...\n');
    expect(failed.stderr).toBe(
      [
        'dpkg: error processing package pve-manager (--configure):',
        ' installed pve-manager package post-installation script subprocess returned error exit status 1',
        'Errors were encountered while processing:',
        ' pve-manager',
        'E: Sub-process /usr/bin/dpkg returned an error code (1)',
        '',
      ].join('\n'),
    );
    expect(((await api('GET', '/nodes/node02/apt/update')) as Entry[]).length).toBe(before);
    expect((await sshRun(sim, 'node02', APT_COMMANDS.rebootRequired)).code).toBe(1);
    expect(await api('GET', '/nodes/node02/version')).toMatchObject({ version: '9.1.3' });

    sim.faults.failNextUpgrade('node02', 'trying to overwrite /usr/share/foo, which is also in package bar');
    const custom = await sshRun(sim, 'node02', APT_COMMANDS.distUpgrade);
    expect(custom.code).toBe(100);
    expect(custom.stderr).toContain(' trying to overwrite /usr/share/foo, which is also in package bar\n');

    const retried = await sshRun(sim, 'node02', APT_COMMANDS.distUpgrade);
    expect(retried.code).toBe(0);
    expect(await api('GET', '/nodes/node02/apt/update')).toEqual([]);
  });

  it('a second apt-get while one runs is refused with the dpkg lock error, exit 100', async () => {
    const first = sshRun(sim, 'node03', APT_COMMANDS.distUpgrade);
    await eventually(async () => sim.cluster.node('node03').aptLock, 'the first upgrade to hold the lock');
    const second = await sshRun(sim, 'node03', APT_COMMANDS.distUpgrade);
    expect(second.code).toBe(100);
    expect(second.stderr).toMatch(
      /^E: Could not get lock \/var\/lib\/dpkg\/lock-frontend\. It is held by process \d+ \(apt-get\)\nE: Unable to acquire the dpkg frontend lock/,
    );
    const update = await sshRun(sim, 'node03', APT_COMMANDS.update);
    expect(update.code).toBe(100);
    expect(update.stderr).toContain('E: Could not get lock /var/lib/apt/lists/lock.');
    expect((await first).code).toBe(0);
  });

  it('records every command run over SSH with its exit status', () => {
    const distUpgrades = sim.sshCommands.filter((c) => c.command === APT_COMMANDS.distUpgrade);
    expect(distUpgrades.map((c) => [c.node, c.exitCode])).toEqual([
      ['node01', 0],
      ['node01', 0],
      ['node02', 100],
      ['node02', 100],
      ['node02', 0],
      ['node03', 0],
      ['node03', 100],
    ]);
    const allowed = new Set<string>(Object.values(APT_COMMANDS));
    expect(sim.sshCommands.every((c) => allowed.has(c.command))).toBe(true);
  });
});

describe('pveproxy during an upgrade', () => {
  it('refuses connections for a moment while pve-manager restarts it, then answers again', async () => {
    const sim = await startSimulator({ port: 0, speed: 20, authFailureDelayMs: 0 });
    try {
      const upgrade = sshRun(sim, 'node01', APT_COMMANDS.distUpgrade);
      await eventually(async () => sim.faults.isApiDown('node01'), 'pveproxy on node01 to stop', 30_000);
      await expect(
        call(sim.hosts[0] as string, sim.caPem, 'GET', '/api2/json/version', {
          headers: { Authorization: `PVEAPIToken=${sim.tokenId}=${sim.tokenSecret}` },
        }),
      ).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      expect((await upgrade).code).toBe(0);
      expect(sim.faults.isApiDown('node01')).toBe(false);
      const res = await call(sim.hosts[0] as string, sim.caPem, 'GET', '/api2/json/version', {
        headers: { Authorization: `PVEAPIToken=${sim.tokenId}=${sim.tokenSecret}` },
      });
      expect(res.json).toMatchObject({ data: { version: '9.1.4' } });
    } finally {
      await sim.stop();
    }
  });
});

describe('an upgrade whose client hangs up', () => {
  it('dies with its channel: no exit status, nothing installed, the dpkg lock released', async () => {
    const sim = await startSimulator({ port: 0, speed: 100, authFailureDelayMs: 0 });
    try {
      const node = sim.cluster.node('node02');
      const pending = node.pendingUpdates.length;
      const client = await sshConnect(sim, 'node02');
      const closed = await new Promise<boolean>((resolve, reject) => {
        client.exec(APT_COMMANDS.distUpgrade, (error, stream) => {
          if (error) return reject(error);
          stream.once('data', () => stream.close());
          stream.on('close', () => resolve(true));
        });
      });
      expect(closed).toBe(true);
      await eventually(async () => node.aptLock === undefined, 'the dpkg lock to be released');
      expect(sim.sshCommands).toEqual([
        { node: 'node02', command: APT_COMMANDS.distUpgrade, exitCode: null, at: expect.any(Number) },
      ]);
      expect(node.pendingUpdates).toHaveLength(pending);
      // The connection itself is still good for the next command.
      expect((await sshExec(client, APT_COMMANDS.rebootRequired)).code).toBe(1);
      client.end();
    } finally {
      await sim.stop();
    }
  });
});
