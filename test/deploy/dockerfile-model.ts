// A small model of the Dockerfile: its instructions, its stages, and what each stage's file
// system holds, replayed from COPY and RUN (which paths come from the build context, which from
// `npm run build`, which from `npm ci`). The deployment tests check it, and image-layout.test.ts
// builds the same layout on disk and runs the entry point in it.

import { posix } from 'node:path';

export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

export interface Stage {
  index: number;
  image: string;
  name: string | undefined;
  instructions: Instruction[];
}

/** Instructions with continuation lines joined and comments dropped, grouped by FROM. */
export function parseDockerfile(text: string): Stage[] {
  const instructions: Instruction[] = [];
  let current: { text: string; line: number } | undefined;
  text.split(/\r?\n/).forEach((raw, i) => {
    const trimmed = raw.trim();
    if (trimmed.startsWith('#') || (trimmed === '' && !current)) return;
    const continued = /\\\s*$/.test(raw);
    const part = raw.replace(/\\\s*$/, '').trim();
    if (current) current.text += ` ${part}`;
    else current = { text: part, line: i + 1 };
    if (!continued && current) {
      const match = /^(\S+)\s*(.*)$/s.exec(current.text.trim());
      if (match) {
        instructions.push({ keyword: match[1]!.toUpperCase(), args: match[2]!.trim(), line: current.line });
      }
      current = undefined;
    }
  });
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const words = instruction.args.split(/\s+/).filter((word) => !word.startsWith('--'));
      const as = words.findIndex((word) => word.toLowerCase() === 'as');
      stages.push({
        index: stages.length,
        image: words[0] ?? '',
        name: as >= 0 ? words[as + 1] : undefined,
        instructions: [],
      });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}

/** The exec (JSON array) form of CMD, ENTRYPOINT, … or undefined for the shell form. */
export function execForm(args: string): string[] | undefined {
  if (!args.startsWith('[')) return undefined;
  try {
    const value: unknown = JSON.parse(args);
    return Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : undefined;
  } catch {
    return undefined;
  }
}

/** `--flag=value` options first, then the words (or the JSON array) of COPY/ADD. */
export function splitCopy(args: string): { flags: Record<string, string>; paths: string[] } {
  const flags: Record<string, string> = {};
  let rest = args;
  for (;;) {
    const match = /^--([a-z-]+)(?:=(\S*))?\s+/.exec(rest);
    if (!match) break;
    flags[match[1]!] = match[2] ?? 'true';
    rest = rest.slice(match[0].length);
  }
  return { flags, paths: execForm(rest) ?? rest.split(/\s+/).filter((word) => word !== '') };
}

/** Where a path of an image comes from. */
export type Origin =
  /** A file or directory of the build context (the repository), repository-relative. */
  | { kind: 'context'; path: string }
  /** What `npm run build` emitted, relative to tsconfig.build.json's outDir. */
  | { kind: 'build'; path: string }
  /** What `npm ci` installed, relative to node_modules; `production` with --omit=dev. */
  | { kind: 'deps'; path: string; production: boolean };

export interface Mount {
  /** Absolute path in the image. */
  target: string;
  origin: Origin;
}

export interface ProjectLayout {
  /** tsconfig.build.json's outDir, repository-relative (e.g. `dist`). */
  outDir: string;
  /** Its rootDir, repository-relative (e.g. `src`). */
  rootDir: string;
  /** What `npm run build` reads besides rootDir (package.json, the tsconfig files). */
  buildInputs: string[];
  /** Whether a repository-relative path exists (the build context is the repository). */
  exists(path: string): boolean;
  /** Whether a repository-relative path is a directory. */
  isDirectory(path: string): boolean;
  /** Whether .dockerignore keeps a repository-relative path out of the build context. */
  ignored(path: string): boolean;
}

export interface StageState {
  stage: Stage;
  workdir: string;
  mounts: Mount[];
  user: string | undefined;
  entrypoint: string[] | undefined;
  cmd: string[] | undefined;
  healthcheck: Instruction | undefined;
  exposed: string[];
  runs: string[];
}

function join(base: string, rest: string): string {
  return rest === '' ? base : posix.join(base, rest);
}

/** The origin of `path` in a stage: the last mount at it or above it wins, as with layers. */
export function resolveOrigin(mounts: Mount[], path: string): Origin | undefined {
  const target = posix.normalize(path);
  for (let i = mounts.length - 1; i >= 0; i--) {
    const mount = mounts[i]!;
    if (target !== mount.target && !target.startsWith(`${mount.target.replace(/\/$/, '')}/`)) continue;
    const rest = posix.relative(mount.target, target);
    return { ...mount.origin, path: join(mount.origin.path, rest) };
  }
  return undefined;
}

function originIsDirectory(origin: Origin, layout: ProjectLayout): boolean {
  if (origin.kind === 'context') return layout.isDirectory(origin.path);
  if (origin.kind === 'deps') return origin.path === '' || layout.isDirectory(`node_modules/${origin.path}`);
  // tsc mirrors rootDir's directories.
  return origin.path === '' || layout.isDirectory(posix.join(layout.rootDir, origin.path));
}

/**
 * Replays every stage: WORKDIR, USER, COPY (from the context or an earlier stage), `RUN npm ci`
 * and `RUN npm run build`. Mistakes that would break `docker build` (a COPY of something not
 * there, a build before its inputs) are returned as problems.
 */
export function replayStages(
  stages: Stage[],
  layout: ProjectLayout,
): { states: StageState[]; problems: string[] } {
  const problems: string[] = [];
  const states: StageState[] = [];
  const byName = new Map<string, StageState>();
  for (const stage of stages) {
    const base = byName.get(stage.image);
    const state: StageState = {
      stage,
      workdir: base?.workdir ?? '/',
      mounts: base ? [...base.mounts] : [],
      user: base?.user,
      entrypoint: base?.entrypoint,
      cmd: base?.cmd,
      healthcheck: base?.healthcheck,
      exposed: base ? [...base.exposed] : [],
      runs: [],
    };
    const where = (instruction: Instruction) =>
      `line ${instruction.line} (stage ${stage.name ?? stage.index})`;
    for (const instruction of stage.instructions) {
      const { keyword, args } = instruction;
      if (keyword === 'WORKDIR') state.workdir = posix.resolve(state.workdir, args);
      else if (keyword === 'USER') state.user = args;
      else if (keyword === 'ENTRYPOINT') state.entrypoint = execForm(args) ?? ['/bin/sh', '-c', args];
      else if (keyword === 'CMD') state.cmd = execForm(args) ?? ['/bin/sh', '-c', args];
      else if (keyword === 'HEALTHCHECK') state.healthcheck = instruction;
      else if (keyword === 'EXPOSE') state.exposed.push(...args.split(/\s+/));
      else if (keyword === 'ADD') problems.push(`${where(instruction)}: use COPY, not ADD`);
      else if (keyword === 'COPY') {
        const { flags, paths } = splitCopy(args);
        const dest = paths.at(-1);
        const sources = paths.slice(0, -1);
        if (!dest || sources.length === 0) {
          problems.push(`${where(instruction)}: COPY needs a source and a destination`);
          continue;
        }
        const from = flags.from === undefined ? undefined : byName.get(flags.from);
        if (flags.from !== undefined && !from) {
          problems.push(`${where(instruction)}: COPY --from=${flags.from} names no earlier stage`);
          continue;
        }
        const destAbs = posix.resolve(state.workdir, dest);
        const intoDirectory = sources.length > 1 || dest.endsWith('/');
        for (const source of sources) {
          let origin: Origin | undefined;
          if (from) {
            origin = resolveOrigin(from.mounts, posix.resolve(from.workdir, source));
            if (!origin) {
              problems.push(`${where(instruction)}: ${source} does not exist in stage ${flags.from}`);
              continue;
            }
          } else {
            const path = posix.normalize(source).replace(/\/$/, '');
            if (/[*?[]/.test(path) || path.startsWith('..') || path.startsWith('/')) {
              problems.push(
                `${where(instruction)}: ${source}: only plain paths inside the context are modelled`,
              );
              continue;
            }
            if (layout.ignored(path)) {
              problems.push(`${where(instruction)}: ${source} is excluded by .dockerignore`);
              continue;
            }
            if (!layout.exists(path)) {
              problems.push(`${where(instruction)}: ${source} is not in the build context`);
              continue;
            }
            origin = { kind: 'context', path: path === '.' ? '' : path };
          }
          const directory = originIsDirectory(origin, layout);
          // A directory's contents go to dest; a file goes into dest/ or becomes dest.
          const target = intoDirectory && !directory ? posix.join(destAbs, posix.basename(source)) : destAbs;
          state.mounts.push({ target, origin });
        }
      } else if (keyword === 'RUN') {
        state.runs.push(args);
        const inWorkdir = (file: string) => resolveOrigin(state.mounts, posix.join(state.workdir, file));
        const needFromContext = (files: string[], what: string) => {
          for (const file of files) {
            const origin = inWorkdir(file);
            if (origin?.kind !== 'context' || origin.path !== file) {
              problems.push(
                `${where(instruction)}: ${what} runs before ${file} is copied into ${state.workdir}`,
              );
            }
          }
        };
        if (/\bnpm (ci|install|i)\b/.test(args)) {
          if (!/\bnpm ci\b/.test(args))
            problems.push(`${where(instruction)}: use npm ci (the lock file), not npm install`);
          needFromContext(['package.json', 'package-lock.json'], 'npm ci');
          const production = /--omit[= ]dev\b|--production\b/.test(args);
          state.mounts.push({
            target: posix.join(state.workdir, 'node_modules'),
            origin: { kind: 'deps', path: '', production },
          });
        }
        if (/\bnpm run build\b/.test(args)) {
          needFromContext([...layout.buildInputs, layout.rootDir], 'npm run build');
          const deps = inWorkdir('node_modules');
          if (deps?.kind !== 'deps' || deps.production) {
            problems.push(
              `${where(instruction)}: npm run build needs the dev dependencies (npm ci without --omit=dev) first`,
            );
          }
          state.mounts.push({
            target: posix.join(state.workdir, layout.outDir),
            origin: { kind: 'build', path: '' },
          });
        }
      }
    }
    states.push(state);
    if (stage.name) byName.set(stage.name, state);
  }
  return { states, problems };
}
