// Builds the compiled CLI once per test run, before any test file starts: the end-to-end tests
// run `bin/pve-chatops` (dist/) as the README does, and builds started by several test files at
// once would write dist/ over each other.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function buildOnce(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const build = spawnSync('npm', ['run', 'build'], { cwd: root, encoding: 'utf8' });
  if (build.status !== 0) {
    throw new Error(`npm run build failed (${build.status}):\n${build.stdout}\n${build.stderr}`);
  }
}
