// A Discord subcommand with its options, written as the command line the grammar parses
// (`migrate TestVM node03 --online`), so Discord, Slack and the console share one parser, one
// set of error messages and one audit text. Values are quoted when they would otherwise be read
// as several words or as a flag.
import { type CommandDefinition, findCommand } from '../../core/grammar/index.js';

export type OptionValue = string | number | boolean;

function quoteWord(value: string): string {
  if (value !== '' && !/[\s"'“”‘’„‚‟‛]/.test(value) && !value.startsWith('-')) return value;
  if (!value.includes('"')) return `"${value}"`;
  if (!value.includes("'")) return `'${value}'`;
  // Both quote kinds inside: left as typed, and the grammar explains what is wrong with it.
  return value;
}

export function interactionToText(subcommand: string, options: ReadonlyMap<string, OptionValue>): string {
  const command: CommandDefinition | undefined = findCommand(subcommand);
  // A command Discord still offers but this version no longer knows: the grammar says so.
  if (!command) return subcommand;
  const words: string[] = [command.name];
  for (const positional of command.positionals) {
    const value = options.get(positional.name);
    if (value !== undefined) words.push(quoteWord(String(value)));
  }
  for (const [name, flag] of Object.entries(command.flags)) {
    const value = options.get(name);
    if (value === undefined || value === false) continue;
    if (flag.value === undefined) {
      if (value === true) words.push(`--${name}`);
      continue;
    }
    words.push(`--${name}`, quoteWord(String(value)));
  }
  return words.join(' ');
}
