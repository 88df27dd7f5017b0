// `pve-chatops` as a user runs it, in child processes: the simulator (`sim --env-file`), and the bot
// (`all`, `bot`, `worker`) either from TypeScript through tsx's loader (what `npm run demo` runs)
// or from the compiled build (`npm run build`, tsconfig.build.json; what bin/pve-chatops runs).
// The build goes to node_modules/.cache, so Node finds the dependencies from there and git
// ignores it; it is reused while no file under src/ changed.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BUILD_DIR = join(ROOT, 'node_modules/.cache/pve-chatops-bench');
const DIST_CLI = join(BUILD_DIR, 'dist/app/cli.js');

export type Runtime = 'tsx' | 'build';

export interface Build {
  /** Whether the compiled cli.js exists (tsc emits even when it reports type errors). */
  ok: boolean;
  /** tsc's complaints, when it had any. */
  errors?: string;
  /** Seconds the build took; 0 when the previous build was still current. */
  seconds: number;
}

let build: Promise<Build> | undefined;

/** Every source file's path, size and mtime: the build is current while this stays the same. */
function sourceStamp(): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else {
        const stat = statSync(path);
        hash.update(`${path}\0${stat.size}\0${stat.mtimeMs}\n`);
      }
    }
  };
  walk(join(ROOT, 'src'));
  for (const file of ['tsconfig.json', 'tsconfig.build.json', 'package-lock.json']) {
    hash.update(readFileSync(join(ROOT, file)));
  }
  return hash.digest('hex');
}

/** `npm run build` into the cache directory, once per run and only when src/ changed. */
export function compiledBuild(): Promise<Build> {
  build ??= (async () => {
    const stamp = sourceStamp();
    const stampFile = join(BUILD_DIR, 'stamp');
    if (existsSync(DIST_CLI) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) {
      return { ok: true, seconds: 0 };
    }
    rmSync(join(BUILD_DIR, 'dist'), { recursive: true, force: true });
    const started = performance.now();
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    const child = spawn(
      process.execPath,
      [tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(BUILD_DIR, 'dist')],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    const seconds = (performance.now() - started) / 1000;
    if (code === 0) writeFileSync(stampFile, stamp);
    return {
      ok: existsSync(DIST_CLI),
      seconds,
      ...(code === 0 ? {} : { errors: output.trim().split('\n').slice(0, 5).join('\n') }),
    };
  })();
  return build;
}

export interface CliProcess {
  readonly pid: number;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the first output line matching `pattern` (already written or to come). */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resident set size now, from /proc/<pid>/status (VmRSS), in bytes. */
  rssBytes(): number;
  /**
   * CPU time it has used so far, user and system, every thread of it: /proc/<pid>/stat's utime
   * and stime, in ms (to the kernel's clock tick, 10 ms on most Linux systems).
   */
  cpuMs(): number;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it has exited. */
  stop(graceMs?: number): Promise<void>;
}

/** Starts `pve-chatops <args>` with `env` added to this process's environment. */
export function spawnCli(runtime: Runtime, args: string[], env: Record<string, string> = {}): CliProcess {
  const script = runtime === 'tsx' ? join(ROOT, 'src/app/cli.ts') : DIST_CLI;
  // The `--` as bin/pve-chatops puts it, so Node 20 leaves `--env-file` to the command.
  return spawnScript(runtime, script, ['--', ...args], env, `pve-chatops ${args[0] ?? ''} (${runtime})`);
}

/** Children still running: killed if this process exits before it stopped them (a crash). */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Starts a script with node (through tsx's loader for TypeScript). */
export function spawnScript(
  runtime: Runtime,
  script: string,
  args: string[],
  env: Record<string, string>,
  name: string,
): CliProcess {
  const loader = runtime === 'tsx' ? ['--import', import.meta.resolve('tsx')] : [];
  const child: ChildProcess = spawn(process.execPath, [...loader, script, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  const waiters = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    // Keep the memory of a chatty child bounded; only recent lines are looked for.
    if (output.length > 1_000_000) output = output.slice(-500_000);
    for (const waiter of waiters) waiter();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve) =>
    child.on('exit', (code, signal) => {
      running.delete(child);
      exitCode = code ?? (signal ? -1 : null);
      for (const waiter of waiters) waiter();
      resolve();
    }),
  );
  const pid = child.pid;
  if (pid === undefined) throw new Error(`cannot start ${name}`);
  return {
    pid,
    output: () => output,
    waitForLine(pattern, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const line = output.split('\n').find((l) => pattern.test(l));
          if (line !== undefined) {
            done();
            resolve(line);
          } else if (exitCode !== undefined) {
            done();
            reject(new Error(`${name} exited (${exitCode}) before ${pattern}: ${output.slice(-600)}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`${name}: no ${pattern} within ${timeoutMs} ms: ${output.slice(-600)}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    rssBytes() {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      // The kernel's "kB" here is KiB.
      return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]) * 1024;
    },
    cpuMs() {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // The command name, in parentheses, may hold spaces: the fields are counted after it.
      // utime and stime are fields 14 and 15 of the line, 12 and 13 after "pid (comm)".
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicksPerSecond();
    },
    async stop(graceMs = 10_000) {
      if (exitCode !== undefined) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

let ticksPerSecond: number | undefined;

/** USER_HZ, the unit of /proc/<pid>/stat's times (100 unless the kernel says otherwise). */
function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    let answer = Number.NaN;
    try {
      answer = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    } catch {
      // No getconf: Linux has reported 100 to user space on every architecture for decades.
    }
    ticksPerSecond = Number.isFinite(answer) && answer > 0 ? answer : 100;
  }
  return ticksPerSecond;
}

/** A free TCP port on 127.0.0.1 (for PORT: the bench must know where the bot listens). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface SimProcess {
  process: CliProcess;
  /** The PVE_* and SSH_* variables it wrote (`sim --env-file`). */
  env: Record<string, string>;
  /** The env file, for `--env-file`. */
  envFile: string;
  stop(): Promise<void>;
}

/** `pve-chatops sim --env-file FILE` (through tsx: it is not what is measured) on free ports. */
export async function startSimProcess(extraArgs: string[] = []): Promise<SimProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'pve-chatops-bench-'));
  const envFile = join(dir, 'sim.env');
  const sim = spawnCli('tsx', ['sim', '--env-file', envFile, '--port', '0', '--ssh-port', '0', ...extraArgs]);
  try {
    await sim.waitForLine(/Press Ctrl\+C to stop/, 60_000);
  } catch (error) {
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    process: sim,
    env: parseEnv(readFileSync(envFile, 'utf8')) as Record<string, string>,
    envFile,
    async stop() {
      await sim.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface ProductProcessOptions {
  runtime: Runtime;
  command: 'all' | 'bot' | 'worker';
  sim: SimProcess;
  /** The fake Slack the bot talks to (SLACK_API_URL) and that delivers its commands. */
  slack: { botToken: string; signingSecret: string; apiUrl: string };
  /** REDIS_PREFIX: each benchmark its own keys, removed afterwards. */
  prefix: string;
  /** PORT of the bot's HTTP server (/slack/events). */
  port: number;
}

/** `pve-chatops all|bot|worker --env-file <the simulator's>`, Slack in HTTP mode; resolves once ready. */
export async function startProductProcess(options: ProductProcessOptions): Promise<CliProcess> {
  const child = spawnCli(options.runtime, [options.command, '--env-file', options.sim.envFile], {
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_PREFIX: options.prefix,
    PORT: String(options.port),
    LOG_LEVEL: 'info',
    SLACK_BOT_TOKEN: options.slack.botToken,
    SLACK_SIGNING_SECRET: options.slack.signingSecret,
    SLACK_API_URL: options.slack.apiUrl,
  });
  try {
    await child.waitForLine(options.command === 'worker' ? /worker ready/ : /pve-chatops ready/, 60_000);
  } catch (error) {
    await child.stop();
    throw error;
  }
  return child;
}
