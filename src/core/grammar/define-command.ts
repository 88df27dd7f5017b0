// One typed definition per `/pve` command. Parsing, validation, help and the slash-command options
// of chat platforms are all derived from it; the parsed arguments' type is inferred from it.
import type { z } from 'zod';

/** `read` only looks; `disruptive` changes the cluster (the policy may ask for an approval). */
export type CommandRisk = 'read' | 'disruptive';

export interface PositionalDefinition<N extends string = string, S extends z.ZodType = z.ZodType> {
  readonly name: N;
  /** Validates the word as typed (a string) and may transform it. */
  readonly schema: S;
  /** A noun phrase: "a target node". Errors say "migrate needs a target node". */
  readonly description: string;
  /** May be left out; the schema then receives `undefined` (so `.default()` applies). */
  readonly optional?: boolean;
  /** Takes every remaining word, joined by single spaces. Only the last positional. */
  readonly rest?: boolean;
}

export interface FlagDefinition<S extends z.ZodType = z.ZodType> {
  /** A switch's schema receives `true` or `false`; a value flag's the text after it (or `undefined`). */
  readonly schema: S;
  readonly description: string;
  /** The placeholder shown in usage (`--id <vmid>`); absent for a boolean switch (`--linked`). */
  readonly value?: string;
}

export type FlagDefinitions = Readonly<Record<string, FlagDefinition>>;

/** `with-local-disks` → `withLocalDisks`: how flag and positional names appear in `args`. */
export type CamelCase<S extends string> = S extends `${infer Head}-${infer Tail}`
  ? `${Head}${Capitalize<CamelCase<Tail>>}`
  : S;

/** The value of something that may be absent: the schema's default, or `undefined`. */
type MaybeAbsent<S extends z.ZodType> = undefined extends z.input<S> ? z.output<S> : z.output<S> | undefined;

type Simplify<T> = { [K in keyof T]: T[K] } & {};

export type PositionalArgs<P extends readonly PositionalDefinition[]> = {
  [D in P[number] as CamelCase<D['name']>]: D extends { optional: true }
    ? MaybeAbsent<D['schema']>
    : z.output<D['schema']>;
};

export type FlagArgs<F extends FlagDefinitions> = {
  [K in keyof F & string as CamelCase<K>]: F[K] extends { value: string }
    ? MaybeAbsent<F[K]['schema']>
    : z.output<F[K]['schema']>;
};

export type CommandArgs<P extends readonly PositionalDefinition[], F extends FlagDefinitions> = Simplify<
  PositionalArgs<P> & FlagArgs<F>
>;

export interface CommandSpec<
  N extends string,
  P extends readonly PositionalDefinition[],
  F extends FlagDefinitions,
> {
  /** Lower case: `migrate`. Typed case-insensitively. */
  readonly name: N;
  /** One line for the command list. */
  readonly summary: string;
  /** More detail for `help <command>`. */
  readonly description?: string;
  readonly positionals?: P;
  readonly flags?: F;
  /** Flags that exclude each other: shown as `[--online|--offline]`, refused together. */
  readonly exclusive?: readonly (readonly (keyof F & string)[])[];
  readonly risk: CommandRisk;
  /** Full command lines without `/pve`; each must parse. */
  readonly examples: readonly string[];
  /** A rule across arguments: the message when broken, `undefined` when fine. */
  validate?(args: CommandArgs<P, F>): string | undefined;
  readonly aliases?: readonly string[];
}

export interface CommandDefinition<
  N extends string = string,
  P extends readonly PositionalDefinition[] = readonly PositionalDefinition[],
  F extends FlagDefinitions = FlagDefinitions,
> extends CommandSpec<N, P, F> {
  readonly positionals: P;
  readonly flags: F;
  readonly exclusive: readonly (readonly (keyof F & string)[])[];
  readonly aliases: readonly string[];
}

/** The parsed form of one definition: `{ name: 'migrate', args: { vm, node, online, … } }`. */
export type ParsedCommandOf<D> =
  D extends CommandDefinition<infer N, infer P, infer F> ? { name: N; args: CommandArgs<P, F> } : never;

export function camelCase<S extends string>(name: S): CamelCase<S> {
  return name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase()) as CamelCase<S>;
}

const WORD = /^[a-z][a-z0-9-]*$/;

/** Checks the definition's shape once, at load time, and fills the optional lists. */
export function defineCommand<
  const N extends string,
  const P extends readonly PositionalDefinition[] = readonly [],
  const F extends FlagDefinitions = Readonly<Record<never, FlagDefinition>>,
>(spec: CommandSpec<N, P, F>): CommandDefinition<N, P, F> {
  const positionals = spec.positionals ?? ([] as unknown as P);
  const flags = spec.flags ?? ({} as F);
  const problems: string[] = [];
  for (const word of [spec.name, ...(spec.aliases ?? []), ...Object.keys(flags)])
    if (!WORD.test(word) && word !== '?') problems.push(`'${word}' is not a lower-case word`);
  positionals.forEach((p, i) => {
    const later = positionals.slice(i + 1);
    if (p.rest && later.length > 0) problems.push(`rest positional '${p.name}' is not the last`);
    if (p.optional && later.some((q) => !q.optional))
      problems.push(`optional '${p.name}' before a required one`);
  });
  if (problems.length > 0) throw new Error(`command '${spec.name}': ${problems.join('; ')}`);
  return { ...spec, positionals, flags, exclusive: spec.exclusive ?? [], aliases: spec.aliases ?? [] };
}
