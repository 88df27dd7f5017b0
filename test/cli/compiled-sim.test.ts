// After `npm run build` (test/global-setup.ts), `bin/pve-chatops sim` as the README runs it: the compiled simulator finds
// its API schema (tsc copies no JSON; the build copies it) and serves MonCluster.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

function run(command: string, args: string[], until?: RegExp) {
  const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const ready = new Promise<void>((resolve) => {
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      if (until?.test(output)) resolve();
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
  });
  const exited = new Promise<{ code: number | null; output: string }>((resolve) =>
    child.once('exit', (code) => resolve({ code, output })),
  );
  return { child, ready, exited };
}

describe('the compiled CLI', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('runs the simulator from the build', async () => {
    dir = await mkdtemp(join(tmpdir(), 'pve-compiled-sim-'));
    const envFile = join(dir, 'sim.env');
    const sim = run(
      join(root, 'bin/pve-chatops'),
      ['sim', '--env-file', envFile, '--port', '0', '--ssh-port', '0'],
      /Press Ctrl\+C/,
    );
    const first = await Promise.race([sim.ready.then(() => 'ready'), sim.exited.then(() => 'exited')]);
    sim.child.kill('SIGTERM');
    const exit = await sim.exited;
    expect(first, exit.output).toBe('ready');
    expect(exit.code, exit.output).toBe(0);
    expect(await readFile(envFile, 'utf8')).toMatch(/^PVE_HOSTS=https:\/\/127\.20\.1\.101:\d+/m);
  }, 180_000);
});
