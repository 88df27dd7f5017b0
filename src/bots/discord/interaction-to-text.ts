// A Discord subcommand with its options, written as the command line the grammar parses
// (`migrate TestVM node03 --online`; `/pve snapshot delete` with vm and snapshot becomes
// `snapshot delete TestVM before-upgrade`), so Discord, Slack and the console share one parser,
// one set of error messages and one audit text. Values are quoted when they would otherwise be
// read as several words or as a flag.
import type { FlagDefinition } from '../../core/grammar/index.js';
import { findDiscordSubcommand } from './discord-layout.js';

export type OptionValue = string | number | boolean;

/** The subcommand an interaction invoked: `migrate`, or `take` in the group `snapshot`. */
export interface InvokedSubcommand {
  readonly group?: string | null | undefined;
  readonly subcommand: string;
}

function quoteWord(value: string): string {
  if (value !== '' && !/[\s"'“”‘’„‚‟‛]/.test(value) && !value.startsWith('-')) return value;
  if (!value.includes('"')) return `"${value}"`;
  if (!value.includes("'")) return `'${value}'`;
  // Both quote kinds inside: left as typed, and the grammar explains what is wrong with it.
  return value;
}

export function interactionToText(
  invoked: InvokedSubcommand | string,
  options: ReadonlyMap<string, OptionValue>,
): string {
  const { group, subcommand } = typeof invoked === 'string' ? { subcommand: invoked } : invoked;
  const found = findDiscordSubcommand(group, subcommand);
  // A subcommand Discord still offers but this version no longer knows: the grammar says so (a
  // grouped one as one word, which no command reads as its arguments).
  if (!found) return group ? `${group}-${subcommand}` : subcommand;
  const words: string[] = [found.command.name, ...found.words];
  const flags: string[] = [];
  for (const option of found.options) {
    const value = options.get(option.name);
    if (value === undefined) continue;
    if (!option.flag) {
      words.push(quoteWord(String(value)));
      continue;
    }
    if (value === false) continue;
    if ((option.definition as FlagDefinition).value !== undefined)
      flags.push(`--${option.name}`, quoteWord(String(value)));
    else if (value === true) flags.push(`--${option.name}`);
  }
  // The pipeline's own option (several clusters), not the command's.
  const cluster = options.get('cluster');
  if (typeof cluster === 'string' && cluster !== '') flags.push('--cluster', quoteWord(cluster));
  return [...words, ...flags].join(' ');
}
