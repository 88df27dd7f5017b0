// Starts `bin/pve-chatops <command>` (the compiled build, made once by test/global-setup.ts) in a
// process of its own, as the README runs it: its environment only from what the test gives (no
// .env is read: the working directory is a fresh temporary one), its JSON log collected so a
// test can wait for a line or read the whole run.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../../bin/pve-chatops', import.meta.url));

export interface CompiledCli {
  readonly child: ChildProcess;
  /** Everything the process wrote so far, stdout and stderr. */
  output(): string;
  /** Resolves with the first output line matching `pattern` (also one already written). */
  waitFor(pattern: RegExp, what?: string): Promise<string>;
  /** Resolves with the exit code (null after a signal) once the process has ended. */
  readonly exited: Promise<number | null>;
  /** SIGTERM, then the exit code; SIGKILL if it has not ended when the test's own timeout nears. */
  stop(): Promise<number | null>;
}

export function startCompiledCli(args: string[], env: Record<string, string | undefined>): CompiledCli {
  const cwd = mkdtempSync(join(tmpdir(), 'pve-chatops-e2e-'));
  const child = spawn(BIN, args, {
    cwd,
    env: { PATH: process.env.PATH, HOME: cwd, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let text = '';
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  const onData = (chunk: Buffer) => {
    text += chunk.toString();
    for (const waiter of [...waiters]) {
      const line = firstMatch(text, waiter.pattern);
      if (line !== undefined) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => text,
    exited,
    waitFor(pattern, what = String(pattern)) {
      const line = firstMatch(text, pattern);
      if (line !== undefined) return Promise.resolve(line);
      return new Promise((resolve, reject) => {
        waiters.push({ pattern, resolve });
        // A process that ends cannot write the line any more: fail with what it did write.
        void exited.then((code) =>
          reject(new Error(`pve-chatops ${args[0]} exited (${code}) before ${what}:\n${text.slice(-4000)}`)),
        );
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      return exited;
    },
  };
}

function firstMatch(text: string, pattern: RegExp): string | undefined {
  return text.split('\n').find((line) => pattern.test(line));
}
