// Promises the repository makes to a fresh clone, checked where they can break.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PERFORMANCE_TARGETS } from '../bench/report.js';

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');

describe('the repository', () => {
  it('has a lock file that `npm ci` accepts: every optional dependency has an entry', () => {
    // This machine's registry mirror lacks other platforms' binaries, so `npm install` drops
    // their entries and `npm ci` then refuses the lock file; scripts/complete-lockfile.mjs adds them.
    const lock = JSON.parse(read('package-lock.json')) as {
      packages: Record<string, { optionalDependencies?: Record<string, string> }>;
    };
    const missing: string[] = [];
    for (const [path, meta] of Object.entries(lock.packages)) {
      for (const dep of Object.keys(meta.optionalDependencies ?? {})) {
        const nested = `${path ? `${path}/` : ''}node_modules/${dep}`;
        if (!lock.packages[`node_modules/${dep}`] && !lock.packages[nested])
          missing.push(`${dep} (for ${path})`);
      }
    }
    expect(missing, 'run: node scripts/complete-lockfile.mjs').toEqual([]);
  });

  it('keeps .ci/run calling the README test command', () => {
    expect(read('.ci/run')).toContain('npm test');
    expect(read('README.md')).toContain('npm ci && npm test');
  });

  it('states in docs/architecture.md the performance targets npm run bench checks, in its order', () => {
    // The table's cells, trimmed: Biome pads markdown tables to line their columns up.
    const section = read('docs/architecture.md').split('## Performance targets')[1]?.split('\n## ')[0] ?? '';
    const rows = section
      .split('\n')
      .filter((line) => line.startsWith('|') && !/^\|\s*-/.test(line))
      .map((line) =>
        line
          .split('|')
          .slice(1, 3)
          .map((cell) => cell.trim()),
      )
      .slice(1);
    expect(rows).toEqual(PERFORMANCE_TARGETS.map(({ what, target }) => [what, target]));
  });
});
