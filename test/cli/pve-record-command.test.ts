// `pve-chatops pve-record` as the README runs it: its own process, the PVE_* variables of an env
// file pointing at the simulator, fixtures written into --out, a non-empty --out refused.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, type SimCluster, startSimulator } from '../../src/sim/simulator.js';
import { fixtureSchema } from '../conformance/pve/fixture-schema.js';

const cli = new URL('../../src/app/cli.ts', import.meta.url).pathname;

function run(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, '--', 'pve-record', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once('exit', (code) => resolve({ code, stdout, stderr })),
  );
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

describe('pve-chatops pve-record', () => {
  let sim: RunningSimulator<SimCluster>;
  let dir: string;
  beforeAll(async () => {
    sim = await startSimulator({ port: 0, speed: 100, authFailureDelayMs: 0 });
    dir = await mkdtemp(join(tmpdir(), 'pve-record-cli-'));
  });
  afterAll(async () => {
    await sim?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('prints its help', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: pve-chatops pve-record --out DIR');
    expect(stdout).toContain('GET requests only');
  });

  it('records the cluster the env file points at, GET only, and refuses a non-empty --out', async () => {
    const envFile = join(dir, 'pve.env');
    const { PVE_HOSTS, PVE_TOKEN_ID, PVE_TOKEN_SECRET, PVE_FINGERPRINTS } = sim.env();
    await writeFile(
      envFile,
      `PVE_HOSTS=${PVE_HOSTS}\nPVE_TOKEN_ID=${PVE_TOKEN_ID}\nPVE_TOKEN_SECRET=${PVE_TOKEN_SECRET}\nPVE_FINGERPRINTS=${PVE_FINGERPRINTS}\n`,
    );
    const out = join(dir, 'out');
    const before = sim.requests.length;
    const { code, stdout, stderr } = await run(['--out', out, '--env-file', envFile]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(new Set(sim.requests.slice(before).map((r) => r.method))).toEqual(new Set(['GET']));

    const files = await filesUnder(out);
    expect(files.length).toBeGreaterThan(50);
    expect(stdout).toMatch(/^ {2}200 {2}cluster\/version\.9\.json$/m);
    expect(stdout).toContain(`Wrote ${files.length} fixtures of PVE 9.1 into ${out}`);
    expect(stdout).not.toContain(PVE_TOKEN_SECRET);
    for (const file of files) {
      const text = await readFile(file, 'utf8');
      fixtureSchema.parse(JSON.parse(text));
      for (const secret of [
        PVE_TOKEN_SECRET,
        ...PVE_FINGERPRINTS!.split(','),
        'TestVM',
        'web01',
        '127.20.1.',
      ]) {
        expect(text, `${file} contains ${secret}`).not.toContain(secret);
      }
    }

    await mkdir(join(dir, 'full'));
    await writeFile(join(dir, 'full', 'keep.txt'), 'mine');
    const refused = await run(['--out', join(dir, 'full'), '--env-file', envFile]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('is not empty');
    expect(await readdir(join(dir, 'full'))).toEqual(['keep.txt']);
  });
});
