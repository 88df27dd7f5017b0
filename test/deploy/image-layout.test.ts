// The image's file layout, built without Docker: `npm run build` into a temporary outDir, then
// the final stage's COPY instructions replayed into a temporary root (node_modules linked from
// the repository). Its ENTRYPOINT then runs: the help, and the simulator, which reads its API
// schema from the copied JSON. This is what proves the entry point and the layout work.

import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDockerfile } from './deploy-checks.js';
import type { Origin } from './dockerfile-model.js';
import {
  compiledCliPath,
  minimumNodeMajor,
  projectLayout,
  readRepoFile,
  repoRoot,
  runtimeAssets,
} from './project-facts.js';

const layout = projectLayout();
const report = checkDockerfile(readRepoFile('Dockerfile'), {
  layout,
  compiledCli: compiledCliPath(),
  commands: ['all', 'bot', 'worker', 'sim'],
  runtimeAssets: runtimeAssets(),
  minimumNodeMajor: minimumNodeMajor(),
  port: 3000,
});

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

function start(program: string, args: string[], cwd: string, until?: RegExp) {
  const child = spawn(program, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<Exit>((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal, output }));
  });
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (until?.test(output)) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then(() => reject(new Error(`exited before ${until}:\n${output}`)));
  });
  ready.catch(() => undefined); // awaited only by callers that pass `until`
  return { child, exited, ready };
}

describe('the image layout (Dockerfile replayed on disk)', () => {
  let dir = '';
  let root = '';
  beforeAll(async () => {
    expect(report.problems).toEqual([]);
    dir = await mkdtemp(join(tmpdir(), 'pve-image-'));
    root = join(dir, 'root');
    const buildOut = join(dir, 'build');
    // `npm run build` with the output moved out of the working tree.
    const tsc = start(
      process.execPath,
      [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', buildOut],
      repoRoot,
    );
    const built = await tsc.exited;
    expect(built.code, built.output).toBe(0);
    const hostPath = (origin: Origin) =>
      origin.kind === 'context'
        ? join(repoRoot, origin.path)
        : origin.kind === 'build'
          ? join(buildOut, origin.path)
          : join(repoRoot, 'node_modules', origin.path);
    for (const { target, origin } of report.final!.mounts) {
      const destination = join(root, target);
      mkdirSync(dirname(destination), { recursive: true });
      if (origin.kind === 'deps' && origin.path === '') symlinkSync(hostPath(origin), destination, 'dir');
      else cpSync(hostPath(origin), destination, { recursive: true });
    }
  }, 180_000);
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const entrypoint = () => {
    const [program, script, ...rest] = report.final!.entrypoint!;
    expect(program).toBe('node');
    return { script: join(root, script!), rest };
  };

  it('has the compiled CLI, package.json and the schema where the entry point and the code look', () => {
    expect(existsSync(entrypoint().script)).toBe(true);
    const pkg = JSON.parse(readFileSync(join(root, report.appDir, 'package.json'), 'utf8')) as {
      type?: string;
    };
    expect(pkg.type).toBe('module');
    expect(existsSync(join(root, report.appDir, layout.outDir, 'sim/schema/pve-api-9.1.json'))).toBe(true);
  });

  it('runs the entry point: the help lists the commands', async () => {
    const { script, rest } = entrypoint();
    const run = start(process.execPath, [script, ...rest, '--help'], join(root, report.appDir));
    const exit = await run.exited;
    expect(exit.code, exit.output).toBe(0);
    expect(exit.output).toMatch(/Commands:[\s\S]* all [\s\S]* worker [\s\S]* sim /);
  });

  it('runs the simulator from the compiled code, and stops it cleanly on SIGTERM', async () => {
    const { script, rest } = entrypoint();
    const envFile = join(dir, 'sim.env');
    const sim = start(
      process.execPath,
      [script, ...rest, 'sim', '--env-file', envFile, '--port', '0', '--ssh-port', '0', '--speed', '50'],
      join(root, report.appDir),
      /Press Ctrl\+C/,
    );
    try {
      await sim.ready;
    } finally {
      sim.child.kill('SIGTERM');
    }
    const exit = await sim.exited;
    expect(exit.code, exit.output).toBe(0);
    expect(readFileSync(envFile, 'utf8')).toMatch(/^PVE_HOSTS=https:\/\/127\.20\.1\.101:\d+/m);
  }, 60_000);
});
