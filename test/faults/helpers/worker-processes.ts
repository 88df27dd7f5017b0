// Real `pve-chatops worker` processes for the fault tests, killed with SIGKILL. One process is
// always loaded and waiting (helpers/gated-worker.ts), so a new worker takes over a killed one's
// job as soon as the job's BullMQ lock runs out, not after its module loading.
//
// The processes run a build of the sources, as bin/pve-chatops runs dist/: esbuild (tsx's own
// compiler) bundles src/ once per test file, dependencies left to node_modules. Loading that
// takes a third of the CPU of loading through tsx (0.7 s instead of 2.3 s here), which matters
// with sixty workers started on two cores.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

const ROOT = new URL('../../../', import.meta.url).pathname;

/** Bundles helpers/gated-worker.ts (and through it src/app/cli.ts) into a temporary directory. */
export async function buildWorker(): Promise<{ entry: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'pve-chatops-worker-'));
  await build({
    entryPoints: { 'gated-worker': new URL('./gated-worker.ts', import.meta.url).pathname },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    outdir: dir,
    logLevel: 'warning',
  });
  // The bundle imports its dependencies by name: let Node find them in the project's node_modules.
  await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return { entry: join(dir, 'gated-worker.js'), remove: () => rm(dir, { recursive: true, force: true }) };
}

export interface WorkerProcess {
  readonly pid: number;
  /** Resolves when the process has exited, however it ended. */
  readonly exited: Promise<void>;
  /** SIGKILL: no handler runs, no slice saves its place, the SSH sessions die with it. */
  kill(): void;
}

interface Loaded {
  child: ChildProcess;
  process: WorkerProcess;
}

export class WorkerProcesses {
  readonly #entry: string;
  readonly #env: Record<string, string>;
  readonly #children = new Set<ChildProcess>();
  #spare: Loaded | undefined;
  /** How many were started as workers. */
  started = 0;

  /**
   * `entry`: from buildWorker(). `env`: the worker's whole environment (PVE_*, SSH_*, REDIS_URL,
   * REDIS_PREFIX, WORKER_*).
   */
  constructor(entry: string, env: Record<string, string>) {
    this.#entry = entry;
    this.#env = env;
    this.#spare = this.#load();
  }

  /** Turns the waiting process into a running worker and loads the next one. */
  start(): WorkerProcess {
    const loaded = this.#spare ?? this.#load();
    this.#spare = this.#load();
    loaded.child.stdin?.write('go\n');
    this.started++;
    return loaded.process;
  }

  /** Kills every process still alive (workers and the waiting one) and waits for them to exit. */
  async stop(): Promise<void> {
    this.#spare = undefined;
    const exits = [...this.#children].map(
      (child) =>
        new Promise<void>((resolve) =>
          child.exitCode !== null ? resolve() : child.once('exit', () => resolve()),
        ),
    );
    for (const child of this.#children) child.kill('SIGKILL');
    await Promise.all(exits);
  }

  #load(): Loaded {
    const child = spawn(process.execPath, [this.#entry], {
      env: { PATH: process.env.PATH ?? '', ...this.#env },
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    this.#children.add(child);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4_000);
    });
    // A spare whose test ended closes its pipe; nothing to report then.
    child.stdin?.on('error', () => undefined);
    const exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        this.#children.delete(child);
        if (signal !== 'SIGKILL' && code !== 0)
          process.stderr.write(`worker ${child.pid} exited ${code}: ${stderr}\n`);
        resolve();
      });
    });
    return {
      child,
      process: { pid: child.pid ?? -1, exited, kill: () => child.kill('SIGKILL') },
    };
  }
}
