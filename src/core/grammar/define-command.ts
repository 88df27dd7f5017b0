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

/**
 * A positional a Discord subcommand offers: its name, or its name with what differs there (the
 * description shown, or required where the command's grammar has it optional).
 */
export type DiscordPositional<P extends string = string> =
  | P
  | { readonly name: P; readonly description?: string; readonly required?: boolean };

/**
 * Where a command sits on Discord, whose `/pve` is a fixed tree with limits (at most 25
 * subcommands or groups under `/pve`, 25 subcommands in a group): the subcommand `name` of the
 * group `group` (`/pve snapshot take`) instead of a subcommand of its own. What it sends is still
 * the command line as typed (`snapshot TestVM`), so nothing but Discord's layout depends on it.
 */
export interface DiscordPlacement<P extends string = string, F extends string = string> {
  /** Lower case, at most 32 characters; the group's members are its subcommands, in the registry's order. */
  readonly group: string;
  /** Lower case, at most 32 characters. */
  readonly name: string;
  /** The subcommand's description; the command's summary when absent. */
  readonly summary?: string;
  /** Words written after the command's name, before the options: `delete` for `snapshot delete`. */
  readonly words?: readonly string[];
  /** The positionals offered, in the order they are written; every one when absent. */
  readonly positionals?: readonly DiscordPositional<P>[];
  /** The flags offered; every one when absent. */
  readonly flags?: readonly F[];
}

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
  /**
   * Where it sits on Discord when not a subcommand of its own (one placement, or several when
   * its forms are subcommands of their own: `snapshot take`, `snapshot delete`). See
   * `DiscordPlacement`.
   */
  readonly discord?:
    | DiscordPlacement<NoInfer<P[number]['name']>, NoInfer<keyof F & string>>
    | readonly DiscordPlacement<NoInfer<P[number]['name']>, NoInfer<keyof F & string>>[];
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
  for (const placement of discordPlacements(spec))
    problems.push(...placementProblems(placement, positionals, flags));
  if (problems.length > 0) throw new Error(`command '${spec.name}': ${problems.join('; ')}`);
  return { ...spec, positionals, flags, exclusive: spec.exclusive ?? [], aliases: spec.aliases ?? [] };
}

/** A command's Discord placements, as a list (none: a subcommand of its own). */
export function discordPlacements(command: {
  readonly discord?: DiscordPlacement | readonly DiscordPlacement[] | undefined;
}): readonly DiscordPlacement[] {
  const { discord } = command;
  if (discord === undefined) return [];
  return isPlacementList(discord) ? discord : [discord];
}

function isPlacementList(
  discord: DiscordPlacement | readonly DiscordPlacement[],
): discord is readonly DiscordPlacement[] {
  return Array.isArray(discord);
}

const DISCORD_NAME = /^[a-z][a-z0-9-]{0,31}$/;

function placementProblems(
  placement: DiscordPlacement,
  positionals: readonly PositionalDefinition[],
  flags: FlagDefinitions,
): string[] {
  const at = `discord ${placement.group} ${placement.name}`;
  const problems: string[] = [];
  for (const name of [placement.group, placement.name])
    if (!DISCORD_NAME.test(name))
      problems.push(`${at}: '${name}' is not a lower-case word of at most 32 characters`);
  const offered = (placement.positionals ?? []).map((p) => (typeof p === 'string' ? p : p.name));
  for (const name of offered)
    if (!positionals.some((p) => p.name === name)) problems.push(`${at}: no positional '${name}'`);
  if (new Set(offered).size < offered.length) problems.push(`${at}: a positional offered twice`);
  for (const name of placement.flags ?? []) if (!(name in flags)) problems.push(`${at}: no flag '${name}'`);
  return problems;
}
