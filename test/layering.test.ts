// A module reaches down (bots → core → jobs → proxmox), never up; platform code never leaks into
// core or jobs (docs/architecture.md, "Layers"). The simulator stands apart: the product talks to
// it over HTTPS only. src/app is the one composition root: the CLI and every command that builds
// a process (bots, worker, demo, simulator) live there, so it may import every layer and no layer
// may import it. This reads every import under src/ and checks the rule, and that no file
// imports itself in a cycle: in a runtime cycle one module sees the other half-initialised.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(new URL('../src', import.meta.url).pathname);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

interface Import {
  from: string;
  /** A file under src/, or a package name. */
  to: string;
  /** `import type`: erased at run time, so it cannot form a load-order cycle. */
  typeOnly: boolean;
}

function importsOf(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  const found = [
    ...text.matchAll(
      /(?:^|\n)\s*(import|export)(\s+type)?\b[^;]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g,
    ),
  ];
  return found.map((m) => {
    const specifier = (m[3] ?? m[4])!;
    return {
      from: file,
      to: specifier.startsWith('.') ? resolve(dirname(file), specifier.replace(/\.js$/, '.ts')) : specifier,
      typeOnly: m[2] !== undefined,
    };
  });
}

/** The layer a file belongs to: its top folder under src/, or `shared` for the top-level leaves. */
function layerOf(file: string): string {
  const [top, ...rest] = relative(SRC, file).split('/');
  if (rest.length === 0) return 'shared';
  return top === 'config' ? 'shared' : (top ?? 'shared');
}

// Which layers each layer may import. `shared` is config, logger and other dependency-free leaves.
const ALLOWED: Record<string, string[]> = {
  shared: ['shared'],
  proxmox: ['proxmox', 'shared'],
  jobs: ['jobs', 'proxmox', 'shared'],
  core: ['core', 'jobs', 'proxmox', 'shared'],
  bots: ['bots', 'core', 'jobs', 'proxmox', 'shared'],
  sim: ['sim', 'shared'],
  // The composition root: it wires the layers together, and nothing imports it back.
  app: ['app', 'bots', 'core', 'jobs', 'proxmox', 'sim', 'shared'],
};
// Chat platform libraries belong to their adapter folder only.
const PLATFORM_PACKAGES: Record<string, string> = {
  '@slack/bolt': 'bots/slack',
  '@slack/web-api': 'bots/slack',
  'discord.js': 'bots/discord',
  'discord-api-types': 'bots/discord',
};

const files = sourceFiles(SRC);
const imports = files.flatMap(importsOf);

describe('dependencies between modules', () => {
  it('point down: app → bots → core → jobs → proxmox, the simulator apart', () => {
    const wrong = imports
      .filter((i) => i.to.startsWith(SRC))
      .filter((i) => !(ALLOWED[layerOf(i.from)] ?? []).includes(layerOf(i.to)))
      .map((i) => `${relative(SRC, i.from)} → ${relative(SRC, i.to)}`);
    expect(wrong).toEqual([]);
  });

  it('keep the commands in the composition root', () => {
    const wrong = files
      .map((file) => relative(SRC, file))
      .filter((path) => /(^|\/)(cli|run-[\w-]+-command)\.ts$/.test(path) && !path.startsWith('app/'));
    expect(wrong).toEqual([]);
  });

  it('keep Slack and Discord libraries inside their adapters', () => {
    const wrong = imports
      .filter((i) => i.to in PLATFORM_PACKAGES)
      .filter((i) => !relative(SRC, i.from).startsWith(`${PLATFORM_PACKAGES[i.to]}/`))
      .map((i) => `${relative(SRC, i.from)} imports ${i.to}`);
    expect(wrong).toEqual([]);
  });

  it('form no cycles', () => {
    const graph = new Map<string, string[]>();
    for (const i of imports) {
      if (!i.to.startsWith(SRC) || i.typeOnly) continue;
      graph.set(i.from, [...(graph.get(i.from) ?? []), i.to]);
    }
    const cycles: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'visiting') {
        cycles.push([...path.slice(path.indexOf(file)), file].map((f) => relative(SRC, f)).join(' → '));
        return;
      }
      state.set(file, 'visiting');
      for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of files) visit(file, []);
    expect(cycles).toEqual([]);
  });
});
