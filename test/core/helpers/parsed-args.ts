// A command's arguments exactly as the parser produces them from typed text, so planning tests
// exercise the grammar's defaults and types too (and cannot pass arguments no user could type).
import { type CommandName, type ParsedCommand, parseCommand } from '../../../src/core/grammar/index.js';

type ArgsNamed<N extends CommandName> = Extract<ParsedCommand, { name: N }>['args'];

export function parsedArgs<N extends CommandName>(name: N, text: string): ArgsNamed<N> {
  const parsed = parseCommand(text);
  if (!parsed.ok) throw new Error(`'${text}' does not parse: ${parsed.error}`);
  if (parsed.command.name !== name) throw new Error(`'${text}' is ${parsed.command.name}, not ${name}`);
  // The name was just checked; the compiler cannot narrow a union by a generic name.
  return parsed.command.args as unknown as ArgsNamed<N>;
}
