// Fits a command's words to its definition: options first (unknown, repeated, missing values),
// then positionals (missing, extra, invalid), then option values and the rules across them.
import type { z } from 'zod';
import { commandUsage, flagUsage } from './command-usage.js';
import { type CommandDefinition, camelCase } from './define-command.js';
import { closestMatch } from './edit-distance.js';
import { quoteInput } from './quote-input.js';
import type { Token } from './tokenize.js';

export type BindResult =
  | { ok: true; args: Record<string, unknown> }
  | { ok: false; error: string }
  /** `--help` (or `-h`) anywhere: show the command's help instead. */
  | { ok: 'help' };

/** An option, unless quoted (`"--x"`) or a negative number (`-5`, left for the value check). */
function isOption(token: Token): boolean {
  return !token.quotedStart && token.text.startsWith('-') && !/^-\d/.test(token.text);
}

function unknownOption(command: CommandDefinition, typed: string): string {
  const names = Object.keys(command.flags);
  if (names.length === 0)
    return `unknown option ${typed} for ${command.name}; ${command.name} takes no options`;
  const close = closestMatch(typed.replace(/^-+/, ''), names);
  const hint = close ? ` (did you mean --${close}?)` : '';
  return `unknown option ${typed} for ${command.name}${hint}; options: ${names.map((n) => `--${n}`).join(', ')}`;
}

function firstIssue(error: z.ZodError): string {
  return error.issues[0]?.message ?? 'invalid value';
}

export function bindArguments(command: CommandDefinition, words: readonly Token[]): BindResult {
  const usage = `usage \`${commandUsage(command)}\``;
  const given = new Map<string, string | true>();
  const positional: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const token = words[i]!;
    if (!isOption(token)) {
      positional.push(token.text);
      continue;
    }
    const [typed, inline] = splitOnce(token.text);
    const name = typed.startsWith('--') ? typed.slice(2).toLowerCase() : '';
    if (name === 'help' || typed === '-h') return { ok: 'help' };
    const flag = Object.hasOwn(command.flags, name) ? command.flags[name] : undefined;
    if (!flag) return { ok: false, error: unknownOption(command, quoteFlag(typed)) };
    if (given.has(name)) return { ok: false, error: `--${name} is given twice` };
    if (flag.value === undefined) {
      if (inline !== undefined)
        return { ok: false, error: `--${name} is a switch and takes no value: use \`--${name}\` alone` };
      given.set(name, true);
      continue;
    }
    let value = inline;
    const next = words[i + 1];
    if (value === undefined && next && !isOption(next)) {
      value = next.text;
      i++;
    }
    if (value === undefined || value === '')
      return { ok: false, error: `--${name} needs a value: \`${flagUsage(name, flag)}\`` };
    given.set(name, value);
  }

  const args: Record<string, unknown> = {};
  const last = command.positionals.length - 1;
  for (const [index, p] of command.positionals.entries()) {
    const raw = p.rest && index === last ? positional.splice(0).join(' ') || undefined : positional.shift();
    if (raw === undefined) {
      if (!p.optional) return { ok: false, error: `${command.name} needs ${p.description}: ${usage}` };
      const absent = p.schema.safeParse(undefined);
      args[camelCase(p.name)] = absent.success ? absent.data : undefined;
      continue;
    }
    const parsed = p.schema.safeParse(raw);
    if (!parsed.success) return { ok: false, error: firstIssue(parsed.error) };
    args[camelCase(p.name)] = parsed.data;
  }
  if (positional.length > 0) {
    const extra = positional.map(quoteInput).join(' ');
    return command.positionals.length === 0
      ? { ok: false, error: `${command.name} takes no arguments, but got ${extra}: ${usage}` }
      : { ok: false, error: `too many arguments for ${command.name}: ${extra} is extra; ${usage}` };
  }

  for (const [name, flag] of Object.entries(command.flags)) {
    const raw = given.get(name) ?? (flag.value === undefined ? false : undefined);
    const parsed = flag.schema.safeParse(raw);
    if (parsed.success) args[camelCase(name)] = parsed.data;
    else if (raw === undefined) args[camelCase(name)] = undefined;
    else return { ok: false, error: `--${name}: ${firstIssue(parsed.error)}` };
  }
  for (const group of command.exclusive) {
    const used = group.filter((name) => given.has(name));
    if (used.length > 1)
      return { ok: false, error: `${used.map((n) => `--${n}`).join(' and ')} cannot be used together` };
  }
  const broken = command.validate?.(args);
  return broken === undefined ? { ok: true, args } : { ok: false, error: broken };
}

function splitOnce(text: string): [string, string | undefined] {
  const at = text.indexOf('=');
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

function quoteFlag(typed: string): string {
  return /^--?[a-z0-9-]{1,40}$/i.test(typed) ? typed : quoteInput(typed);
}
