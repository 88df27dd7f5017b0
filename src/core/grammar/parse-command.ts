// Text typed after `/pve` → a typed command, or an error that says what was wrong and what would be
// right, with the help to show next to it. Never throws: chat input is anything at all.
import { bindArguments } from './bind-arguments.js';
import { commandDefinitions, findCommand, type ParsedCommand } from './command-list.js';
import { closestMatch } from './edit-distance.js';
import { commandHelp, helpText } from './help-text.js';
import { quoteInput } from './quote-input.js';
import { tokenize } from './tokenize.js';

export type ParseResult = { ok: true; command: ParsedCommand } | { ok: false; error: string; help: string };

export const MAX_COMMAND_LENGTH = 2000;

/** Control characters other than tab, line feed and carriage return (which separate words). */
const CONTROL = /(?![\t\n\r])\p{Cc}/u;

export function parseCommand(text: string): ParseResult {
  try {
    return parse(text);
  } catch {
    // Unreachable by design (the fuzz test checks it); a chat command must still get an answer.
    return { ok: false, error: 'the command could not be read', help: helpText() };
  }
}

function parse(input: string): ParseResult {
  const text = typeof input === 'string' ? input : '';
  if (text.length > MAX_COMMAND_LENGTH) {
    return fail(`the command is ${text.length} characters long; the limit is ${MAX_COMMAND_LENGTH}`);
  }
  const control = CONTROL.exec(text);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).padStart(4, '0').toUpperCase();
    return fail(
      `the command contains a control character (U+${code}) at character ${control.index + 1}; remove it`,
    );
  }
  const split = tokenize(text);
  if (!split.ok) return fail(split.error, helpFor(text.trim().split(/\s+/)[0] ?? ''));
  const tokens = split.tokens;
  if (tokens[0] && !tokens[0].quotedStart && tokens[0].text.toLowerCase() === '/pve') tokens.shift();

  const [first, ...words] = tokens;
  if (!first) return { ok: true, command: { name: 'help', args: { command: undefined } } };
  const command = findCommand(first.text);
  if (!command) {
    if (/^(--help|-h)$/i.test(first.text))
      return { ok: true, command: { name: 'help', args: { command: undefined } } };
    const close = closestMatch(
      first.text,
      commandDefinitions.map((c) => c.name),
    );
    const hint = close ? ` Did you mean '${close}'?` : '';
    return fail(`unknown command ${quoteInput(first.text)}.${hint} Type \`help\` for the list`);
  }
  const bound = bindArguments(command, words);
  if (bound.ok === 'help') return { ok: true, command: { name: 'help', args: { command: command.name } } };
  if (!bound.ok) return fail(bound.error, commandHelp(command));
  return { ok: true, command: { name: command.name, args: bound.args } as ParsedCommand };
}

function fail(error: string, help = helpText()): ParseResult {
  return { ok: false, error, help };
}

/** The help of the command a line seems to start with, or the command list. */
function helpFor(word: string): string {
  const command = findCommand(word.replace(/^\/pve$/i, ''));
  return command ? commandHelp(command) : helpText();
}
