// `pve-chatops demo` as the README runs it with piped input: the whole story, then the process
// exits on its own once the last job has finished. The demo is one person at one console, so
// every line is handled as it is read; a command must not be dropped because the input ended
// before it was handled (it was, while commands went through the intake).
import { describe, expect, it } from 'vitest';
import { startCompiledCli } from './helpers/compiled-cli.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('pve-chatops demo with piped input', () => {
  it('runs a migration asked by alice and approved by dave, then exits by itself', async () => {
    const cli = startCompiledCli(['demo', '--speed', '50'], { REDIS_URL });
    cli.child.stdin?.end('/pve migrate TestVM node03\n/as dave\napprove\n');
    // Safety net only: the process ends on its own once the job is done.
    expect(await cli.exited).toBe(0);
    const output = cli.output();
    expect(output).toMatch(/migrate TestVM \(qemu\/100\) node01 → node03/);
    expect(output).toMatch(/✅[^\n]*TestVM \(qemu\/100\)[^\n]*node03/);
  }, 120_000);
});
