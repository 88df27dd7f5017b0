// The bounded stop in a process of its own (it ends with process.exit): past its deadline the
// process exits, but never while a step that must not be cut runs; from that step's end the
// deadline runs again.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('./helpers/held-stop.ts', import.meta.url));

describe('exitIfNotStoppedWithin', () => {
  it('holds the exit while a dist-upgrade runs, then exits once the deadline passes again', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      // Only once the stop said it holds does the upgrade end: the exit cannot come before.
      if (output.includes('holding for') && !output.includes('finished')) child.stdin.write('finished\n');
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(output.trim().split('\n')).toEqual([
      'holding for apt-get dist-upgrade on node03',
      'upgrade finished',
      'overdue: exiting',
    ]);
    expect(code).toBe(1);
  });
});
