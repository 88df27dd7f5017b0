// `/pve` on Discord is derived from the grammar: every command a subcommand with typed options,
// valid by Discord's rules, and every option set written back as a command line that parses to
// exactly what the same command typed in Slack would.
import { describe, expect, it } from 'vitest';
import { interactionToText, type OptionValue } from '../../src/bots/discord/interaction-to-text.js';
import { slashCommandDefinitions } from '../../src/bots/discord/slash-command-definitions.js';
import { commandDefinitions, findCommand, parseCommand } from '../../src/core/grammar/index.js';
import { tokenize } from '../../src/core/grammar/tokenize.js';

const NAME = /^[-_\p{L}\p{N}]{1,32}$/u;

interface Option {
  type: number;
  name: string;
  description: string;
  required?: boolean;
  autocomplete?: boolean;
  min_value?: number;
  max_value?: number;
  choices?: Array<{ name: string; value: string }>;
  options?: Option[];
}

function subcommands(): Option[] {
  const [pve] = slashCommandDefinitions();
  return (pve?.options ?? []) as Option[];
}

function subcommand(name: string): Option {
  const found = subcommands().find((s) => s.name === name);
  if (!found) throw new Error(`no subcommand ${name}`);
  return found;
}

/** What Discord would send for an example line: positionals by name, flags by name. */
function optionsOf(example: string): { name: string; options: Map<string, OptionValue> } {
  const tokens = tokenize(example);
  if (!tokens.ok) throw new Error(tokens.error);
  const [first, ...rest] = tokens.tokens.map((t) => t.text);
  const command = findCommand(first!)!;
  const options = new Map<string, OptionValue>();
  let position = 0;
  for (let i = 0; i < rest.length; i++) {
    const word = rest[i]!;
    if (word.startsWith('--')) {
      const flag = command.flags[word.slice(2)]!;
      if (flag.value === undefined) options.set(word.slice(2), true);
      else options.set(word.slice(2), rest[++i]!);
    } else {
      const positional = command.positionals[position]!;
      // A rest positional takes every remaining word; Discord sends them as one option.
      const previous = options.get(positional.name);
      options.set(positional.name, positional.rest && previous !== undefined ? `${previous} ${word}` : word);
      if (!positional.rest) position++;
    }
  }
  return { name: command.name, options };
}

describe('the /pve command Discord registers', () => {
  it('is one guild command whose subcommands are every grammar command', () => {
    const body = slashCommandDefinitions();
    expect(body).toHaveLength(1);
    expect(body[0]).toMatchObject({ name: 'pve', type: 1, contexts: [0] });
    expect(subcommands().map((s) => s.name)).toEqual(commandDefinitions.map((c) => c.name));
  });

  it('follows Discord rules: names, description lengths, required options first, at most 25', () => {
    const all = subcommands();
    expect(all.length).toBeLessThanOrEqual(25);
    for (const s of all) {
      expect(s.type).toBe(1);
      expect(s.name).toMatch(NAME);
      expect(s.description.length).toBeGreaterThan(0);
      expect(s.description.length).toBeLessThanOrEqual(100);
      const options = s.options ?? [];
      expect(options.length).toBeLessThanOrEqual(25);
      const firstOptional = options.findIndex((o) => !o.required);
      if (firstOptional >= 0) expect(options.slice(firstOptional).every((o) => !o.required)).toBe(true);
      for (const o of options) {
        expect(o.name).toMatch(NAME);
        expect(o.name).toBe(o.name.toLowerCase());
        expect(o.description.length).toBeGreaterThan(0);
        expect(o.description.length).toBeLessThanOrEqual(100);
        if (o.autocomplete) expect(o.type).toBe(3);
        expect((o.choices ?? []).length).toBeLessThanOrEqual(25);
      }
      expect(new Set(options.map((o) => o.name)).size).toBe(options.length);
    }
  });

  it('types migrate: vm and node are required and autocompleted, the switches are booleans', () => {
    const options = subcommand('migrate').options!;
    expect(options.map((o) => [o.name, o.type, Boolean(o.required), Boolean(o.autocomplete)])).toEqual([
      ['vm', 3, true, true],
      ['node', 3, true, true],
      ['online', 5, false, false],
      ['offline', 5, false, false],
      ['with-local-disks', 5, false, false],
    ]);
  });

  it('makes vmids and counts integer options with their bounds, and offers command names to help', () => {
    const id = subcommand('clone').options!.find((o) => o.name === 'id')!;
    expect(id).toMatchObject({ type: 4, min_value: 100, max_value: 999_999_999, required: false });
    expect(subcommand('clone').options!.find((o) => o.name === 'target')).toMatchObject({
      autocomplete: true,
    });
    expect(subcommand('audit').options!.find((o) => o.name === 'n')).toMatchObject({
      type: 4,
      min_value: 1,
      max_value: 100,
    });
    const choices = subcommand('help').options![0]!.choices!.map((c) => c.value);
    expect(choices).toContain('migrate');
    expect(subcommand('status').options![0]).toMatchObject({ name: 'target', autocomplete: true });
  });
});

describe('options written back as a command line', () => {
  const examples = commandDefinitions.flatMap((c) => c.examples.map((e) => [c.name, e] as const));

  it.each(examples)('%s: "%s" parses the same from Discord options', (_name, example) => {
    const { name, options } = optionsOf(example);
    const text = interactionToText(name, options);
    const fromDiscord = parseCommand(text);
    const typed = parseCommand(example);
    expect(typed.ok).toBe(true);
    expect(fromDiscord).toEqual(typed);
  });

  it('drops false switches and quotes values that would read as several words or a flag', () => {
    const text = interactionToText(
      'migrate',
      new Map<string, OptionValue>([
        ['vm', '--help'],
        ['node', 'node 03'],
        ['online', false],
      ]),
    );
    expect(text).toBe('migrate "--help" "node 03"');
    const parsed = parseCommand(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toContain("'--help' is not a VM name or vmid");
  });

  it('writes integer options as digits', () => {
    const text = interactionToText(
      'clone',
      new Map<string, OptionValue>([
        ['vm', 'TestVM'],
        ['new-name', 'web02'],
        ['id', 130],
        ['linked', true],
      ]),
    );
    expect(text).toBe('clone TestVM web02 --id 130 --linked');
  });
});
