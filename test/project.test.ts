// Promises the repository makes to a fresh clone, checked where they can break.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DESIGN_TARGETS } from '../bench/report.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');

/** The repository's files as git tracks them; the working tree minus build output without git. */
function trackedFiles(): string[] {
  try {
    return execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 })
      .split('\0')
      .filter((path) => path !== '');
  } catch {
    const walk = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        if (['node_modules', '.git', 'dist', 'coverage'].includes(entry.name)) return [];
        const path = join(dir, entry.name);
        return entry.isDirectory() ? walk(path) : [relative(ROOT, path)];
      });
    return walk(ROOT);
  }
}

// Names of documents a maintainer of this repository does not have: the team's shared design
// document and API notes, their numbered style rules, the guides' summary. The repository must
// explain itself: say what is meant, or point inside the repository (docs/architecture.md,
// docs/conformance.md, a fixture under test/conformance/pve/fixtures, or the Proxmox source file
// and function the behaviour comes from).
const OUTSIDE_POINTERS = ['../shared', 'DESIGN.md', 'API-NOTES', 'style rule', 'seeds.md'];

// TEMPORARY: files still pointing outside that other work has open right now. Each entry goes
// when its file is cleaned (the test below fails for an entry whose file no longer needs it);
// the list must end empty. Nothing may be added to it.
const NOT_YET_CLEANED = new Set<string>([]);

/** `path:line: text` for every line of a tracked file that names a document outside the repository. */
function outsidePointers(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const self = relative(ROOT, fileURLToPath(import.meta.url));
  for (const path of trackedFiles()) {
    // Fixtures quote PVE's and other projects' own words; this file names what it looks for.
    if (path.startsWith('node_modules/') || path.startsWith('test/conformance/pve/fixtures/')) continue;
    if (path === self) continue;
    let text: string;
    try {
      text = readFileSync(join(ROOT, path), 'utf8');
    } catch {
      continue; // deleted in the working tree, not yet in the index
    }
    if (text.includes('\0')) continue; // binary
    const lines = text
      .split('\n')
      .map((line, i) => ({ line, n: i + 1 }))
      .filter(({ line }) => OUTSIDE_POINTERS.some((name) => line.includes(name)))
      .map(({ line, n }) => `${path}:${n}: ${line.trim()}`);
    if (lines.length > 0) found.set(path, lines);
  }
  return found;
}

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

  it('explains itself: no file points at documents outside the repository', () => {
    const found = outsidePointers();
    const offending = [...found].filter(([path]) => !NOT_YET_CLEANED.has(path)).flatMap(([, lines]) => lines);
    expect(offending, 'say what is meant, or point inside the repository').toEqual([]);
    const cleaned = [...NOT_YET_CLEANED].filter((path) => !found.has(path));
    expect(cleaned, 'cleaned: remove these from NOT_YET_CLEANED in test/project.test.ts').toEqual([]);
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
    expect(rows).toEqual(DESIGN_TARGETS.map(({ what, target }) => [what, target]));
  });
});
