// What the deployment files must agree with, read from the project itself: where the build puts
// the compiled CLI (tsconfig.build.json), which commands the CLI has (its own help), the Node
// versions package.json supports, what .dockerignore keeps out of the build context.

import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import type { ProjectLayout } from './dockerfile-model.js';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const cliSource = 'src/app/cli.ts';

export const readRepoFile = (path: string) => readFileSync(join(repoRoot, path), 'utf8');

const toPosix = (path: string) => path.split(sep).join(posix.sep);

/** tsconfig.build.json as tsc resolves it (with `extends`). */
export function buildConfig(): { outDir: string; rootDir: string; configFiles: string[] } {
  const file = join(repoRoot, 'tsconfig.build.json');
  const { config, error } = ts.readConfigFile(file, ts.sys.readFile);
  if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, repoRoot, undefined, file);
  const { outDir, rootDir } = parsed.options;
  if (!outDir || !rootDir) throw new Error('tsconfig.build.json must set outDir and rootDir');
  const configFiles = ['tsconfig.build.json'];
  for (let extended = config.extends as string | undefined; extended; ) {
    configFiles.push(posix.normalize(extended));
    extended = (JSON.parse(readRepoFile(extended)) as { extends?: string }).extends;
  }
  return {
    outDir: toPosix(relative(repoRoot, outDir)),
    rootDir: toPosix(relative(repoRoot, rootDir)),
    configFiles,
  };
}

/** Where `npm run build` writes the CLI, relative to the package root: outDir + (cli.ts − rootDir). */
export function compiledCliPath(): string {
  const { outDir, rootDir } = buildConfig();
  return posix.join(outDir, posix.relative(rootDir, cliSource)).replace(/\.ts$/, '.js');
}

/** Files under rootDir that tsc does not emit (read at run time, so they must be copied). */
export function runtimeAssets(): string[] {
  const { rootDir } = buildConfig();
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(repoRoot, dir), { withFileTypes: true })) {
      const path = posix.join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (!/\.(ts|mts|cts)$/.test(entry.name)) found.push(path);
    }
  };
  walk(rootDir);
  return found;
}

/** The lowest Node major package.json's engines allow. */
export function minimumNodeMajor(): number {
  const pkg = JSON.parse(readRepoFile('package.json')) as { engines?: { node?: string } };
  const major = /(\d+)/.exec(pkg.engines?.node ?? '')?.[1];
  if (!major) throw new Error('package.json has no engines.node');
  return Number(major);
}

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The CLI from source, as `npm run` starts it (the `--` first). */
export function runCli(args: string[]): CliRun {
  const result = spawnSync(process.execPath, ['--import', 'tsx', cliSource, '--', ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, NODE_ENV: 'test' },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** runCli without blocking, so several can run at once. */
export function runCliAsync(args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', cliSource, '--', ...args],
      { cwd: repoRoot, encoding: 'utf8', timeout: 30_000, env: { ...process.env, NODE_ENV: 'test' } },
      (error, stdout, stderr) => {
        const code = (error as { code?: unknown } | null)?.code;
        resolve({ status: error ? (typeof code === 'number' ? code : null) : 0, stdout, stderr });
      },
    );
  });
}

/** The command names in the CLI's own usage text ("Commands:" then `  name  summary`). */
export function commandsFromUsage(usage: string): string[] {
  const section = usage.split(/^Commands:\s*$/m)[1] ?? '';
  return [...section.matchAll(/^ {2}(\S+) {2,}\S/gm)].map((match) => match[1]!);
}

/** .dockerignore as Docker reads it: Go-style globs from the context root, `!` re-includes. */
export function dockerignoreMatcher(text: string): (path: string) => boolean {
  const rules = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const negate = line.startsWith('!');
      const pattern = posix.normalize(line.replace(/^!/, '').replace(/^\/+/, '')).replace(/\/+$/, '');
      const source = pattern
        .split('/')
        .map((part) =>
          part === '**'
            ? '(?:.*)'
            : part
                .replace(/[.+^${}()|\\]/g, '\\$&')
                .replace(/\*/g, '[^/]*')
                .replace(/\?/g, '[^/]'),
        )
        .join('/')
        .replace(/\(\?:\.\*\)\//g, '(?:.*/)?');
      return { negate, regex: new RegExp(`^${source}$`) };
    });
  return (path: string) => {
    const parts = posix.normalize(path).split('/');
    // A path is excluded when it, or a directory above it, matches the last rule that applies.
    let excluded = false;
    for (let i = 1; i <= parts.length; i++) {
      const prefix = parts.slice(0, i).join('/');
      for (const rule of rules) if (rule.regex.test(prefix)) excluded = !rule.negate;
      if (excluded && i < parts.length) return true;
    }
    return excluded;
  };
}

export function projectLayout(): ProjectLayout {
  const { outDir, rootDir, configFiles } = buildConfig();
  const ignored = dockerignoreMatcher(
    existsSync(join(repoRoot, '.dockerignore')) ? readRepoFile('.dockerignore') : '',
  );
  return {
    outDir,
    rootDir,
    buildInputs: ['package.json', ...configFiles],
    exists: (path) => existsSync(join(repoRoot, path)),
    isDirectory: (path) => existsSync(join(repoRoot, path)) && statSync(join(repoRoot, path)).isDirectory(),
    ignored,
  };
}
