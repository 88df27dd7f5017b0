// Vitest resolves CommonJS packages its own way and would hide this: under plain Node ESM, ssh2
// (CommonJS) offers no named exports such as `utils`, only its default export. The worker runs
// under Node, so the runner must load there, not only here.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

it('loads the SSH runner under plain Node ESM (ssh2 is CommonJS)', async () => {
  const runner = new URL('../../../src/proxmox/ssh/ssh-runner.ts', import.meta.url).href;
  const script = `const { SshRunner } = await import(${JSON.stringify(runner)}); console.log(typeof SshRunner.fromConfig);`;
  const { stdout } = await promisify(execFile)(process.execPath, [
    '--import',
    'tsx',
    '--input-type=module',
    '-e',
    script,
  ]);
  expect(stdout.trim()).toBe('function');
});
