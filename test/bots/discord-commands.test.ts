// `/pve` on Discord is derived from the grammar: every command a subcommand, directly under `/pve`
// or in a group (`/pve snapshot take`), with typed options, valid by Discord's rules and within
// its limits, and every option set written back as a command line that parses to exactly what
// the same command typed in Slack would.
import { describe, expect, it } from 'vitest';
import { type DiscordSubcommand, discordSubcommands } from '../../src/bots/discord/discord-layout.js';
import {
  type InvokedSubcommand,
  interactionToText,
  type OptionValue,
} from '../../src/bots/discord/interaction-to-text.js';
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

/** Discord's limits on a chat-input command (docs: Application Commands). */
const LIMITS = {
  /** Subcommands and groups directly under `/pve`; subcommands in a group; options of a subcommand. */
  options: 25,
  choices: 25,
  name: 32,
  description: 100,
  /** Every name, description, choice name and value of the command together (4000 before 2024). */
  totalChars: 8000,
};
const SUBCOMMAND = 1;
const GROUP = 2;

/** What sits directly under `/pve`: subcommands and groups. */
function topLevel(): Option[] {
  const [pve] = slashCommandDefinitions();
  return (pve?.options ?? []) as Option[];
}

/** Every subcommand with its path: `status`, `snapshot take`. */
function leaves(): Array<{ path: string; option: Option }> {
  return topLevel().flatMap((entry) =>
    entry.type === GROUP
      ? (entry.options ?? []).map((option) => ({ path: `${entry.name} ${option.name}`, option }))
      : [{ path: entry.name, option: entry }],
  );
}

function subcommand(path: string): Option {
  const found = leaves().find((s) => s.path === path);
  if (!found) throw new Error(`no subcommand ${path}`);
  return found.option;
}

function chars(option: Option): number {
  return (
    [...option.name].length +
    [...option.description].length +
    (option.options ?? []).reduce((sum, o) => sum + chars(o), 0) +
    (option.choices ?? []).reduce((sum, c) => sum + [...c.name].length + [...String(c.value)].length, 0)
  );
}

function expectNamed(option: Option): void {
  expect(option.name).toMatch(NAME);
  expect(option.name.length).toBeLessThanOrEqual(LIMITS.name);
  expect(option.name).toBe(option.name.toLowerCase());
  expect(option.description.length).toBeGreaterThan(0);
  expect(option.description.length).toBeLessThanOrEqual(LIMITS.description);
}

/**
 * What Discord would send for an example line: the first subcommand whose fixed words it starts
 * with and whose options take its words (positionals in order, flags by name), or undefined.
 */
function invocationOf(
  example: string,
): { invoked: InvokedSubcommand; options: Map<string, OptionValue> } | undefined {
  const tokens = tokenize(example);
  if (!tokens.ok) throw new Error(tokens.error);
  const [first, ...words] = tokens.tokens.map((t) => t.text);
  const command = findCommand(first!)!;
  for (const form of discordSubcommands().filter((s) => s.command === command)) {
    const options = fill(form, words);
    if (options) return { invoked: { group: form.group, subcommand: form.name }, options };
  }
  return undefined;
}

function fill(form: DiscordSubcommand, words: string[]): Map<string, OptionValue> | undefined {
  if (form.words.some((word, i) => words[i]?.toLowerCase() !== word)) return undefined;
  const rest = words.slice(form.words.length);
  const positionals = form.options.filter((o) => !o.flag);
  const options = new Map<string, OptionValue>();
  let position = 0;
  for (let i = 0; i < rest.length; i++) {
    const word = rest[i]!;
    if (word.startsWith('--')) {
      const flag = form.options.find((o) => o.flag && o.name === word.slice(2));
      if (!flag) return undefined;
      if ('value' in flag.definition && flag.definition.value !== undefined)
        options.set(flag.name, rest[++i]!);
      else options.set(flag.name, true);
      continue;
    }
    const positional = positionals[position];
    if (!positional) return undefined;
    const rests = 'rest' in positional.definition && positional.definition.rest === true;
    // A rest positional takes every remaining word; Discord sends them as one option.
    const previous = options.get(positional.name);
    options.set(positional.name, rests && previous !== undefined ? `${previous} ${word}` : word);
    if (!rests) position++;
  }
  return positionals.every((p) => !p.required || options.has(p.name)) ? options : undefined;
}

describe('the /pve command Discord registers', () => {
  it('is one guild command whose subcommands, direct or grouped, cover every grammar command', () => {
    const body = slashCommandDefinitions();
    expect(body).toHaveLength(1);
    expect(body[0]).toMatchObject({ name: 'pve', type: 1, contexts: [0] });
    const commands = new Set(discordSubcommands().map((s) => s.command.name));
    expect([...commands].sort()).toEqual(commandDefinitions.map((c) => c.name).sort());
    expect(leaves().map((l) => l.path)).toEqual(
      discordSubcommands().map((s) => (s.group === undefined ? s.name : `${s.group} ${s.name}`)),
    );
  });

  it('stays within Discord limits: 25 entries under /pve, 25 per group and subcommand, names and descriptions', () => {
    const [pve] = slashCommandDefinitions();
    expect(topLevel().length).toBeLessThanOrEqual(LIMITS.options);
    expect(chars(pve as unknown as Option)).toBeLessThanOrEqual(LIMITS.totalChars);
    // With several clusters every subcommand also takes `cluster`: still within the total.
    const [withClusters] = slashCommandDefinitions({ clusters: ['moncluster', 'srv-cluster'] });
    expect(chars(withClusters as unknown as Option)).toBeLessThanOrEqual(LIMITS.totalChars);
    expect(new Set(topLevel().map((o) => o.name)).size).toBe(topLevel().length);
    for (const entry of topLevel()) {
      expect([SUBCOMMAND, GROUP]).toContain(entry.type);
      expectNamed(entry);
      if (entry.type !== GROUP) continue;
      const members = entry.options ?? [];
      expect(members.length).toBeGreaterThan(0);
      expect(members.length).toBeLessThanOrEqual(LIMITS.options);
      expect(members.every((m) => m.type === SUBCOMMAND)).toBe(true);
      expect(new Set(members.map((m) => m.name)).size).toBe(members.length);
    }
    for (const { option: s } of leaves()) {
      expectNamed(s);
      const options = s.options ?? [];
      expect(options.length).toBeLessThanOrEqual(LIMITS.options);
      const firstOptional = options.findIndex((o) => !o.required);
      if (firstOptional >= 0) expect(options.slice(firstOptional).every((o) => !o.required)).toBe(true);
      for (const o of options) {
        expect([SUBCOMMAND, GROUP]).not.toContain(o.type);
        expectNamed(o);
        if (o.autocomplete) expect(o.type).toBe(3);
        expect((o.choices ?? []).length).toBeLessThanOrEqual(LIMITS.choices);
      }
      expect(new Set(options.map((o) => o.name)).size).toBe(options.length);
    }
  });

  it('groups the snapshot, backup, replication and job commands, the others directly under /pve', () => {
    expect(topLevel().map((o) => `${o.name}${o.type === GROUP ? '/' : ''}`)).toEqual([
      'help',
      'status',
      'cluster',
      'digest',
      'tasks',
      'start',
      'stop',
      'shutdown',
      'reboot',
      'migrate',
      'clone',
      'create',
      'backup/',
      'replication/',
      'snapshot/',
      'updates',
      'upgrade',
      'balance',
      'node',
      'ha',
      'jobs/',
      'audit',
      'whoami',
    ]);
    expect(
      leaves()
        .filter((l) => l.path.includes(' '))
        .map((l) => l.path),
    ).toEqual([
      'backup run',
      'backup list',
      'replication list',
      'replication run',
      'replication create',
      'snapshot list',
      'snapshot take',
      'snapshot delete',
      'snapshot rollback',
      'jobs list',
      'jobs scheduled',
      'jobs cancel',
    ]);
    expect(topLevel().find((o) => o.name === 'snapshot')!.description).toBe(
      'Snapshot commands: list, take, delete, rollback',
    );
  });

  it('offers each form of a grouped command its own options: snapshot take and snapshot delete', () => {
    const shape = (path: string) =>
      subcommand(path).options!.map((o) => [o.name, o.type, Boolean(o.required), Boolean(o.autocomplete)]);
    expect(shape('snapshot take')).toEqual([
      ['vm', 3, true, true],
      ['name', 3, false, false],
      ['vmstate', 5, false, false],
      ['description', 3, false, false],
    ]);
    expect(shape('snapshot delete')).toEqual([
      ['vm', 3, true, true],
      ['snapshot', 3, true, false],
    ]);
    expect(subcommand('snapshot take').options![0]!.description).toBe('The guest (name or vmid)');
    expect(subcommand('snapshot delete').description).toMatch(/^Delete a snapshot/);
    expect(shape('replication list')).toEqual([]);
    expect(shape('replication run')).toEqual([['id', 3, true, false]]);
    expect(shape('snapshot rollback')).toEqual([
      ['vm', 3, true, true],
      ['snapshot', 3, true, false],
      ['at', 3, false, false],
      ['window', 3, false, false],
      ['start', 5, false, false],
    ]);
  });

  it('types migrate: vm and node are required and autocompleted, the switches are booleans', () => {
    const options = subcommand('migrate').options!;
    const shape = options.map((o) => [o.name, o.type, Boolean(o.required), Boolean(o.autocomplete)]);
    expect(shape.slice(0, 2)).toEqual([
      ['vm', 3, true, true],
      ['node', 3, true, true],
    ]);
    expect(shape).toEqual(
      expect.arrayContaining([
        ['online', 5, false, false],
        ['offline', 5, false, false],
        ['with-local-disks', 5, false, false],
      ]),
    );
  });

  it('makes vmids and counts integer options with their bounds, and completes command names for help', () => {
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
    // More commands than the 25 choices Discord allows: completed as typed instead.
    expect(subcommand('help').options![0]).toMatchObject({ type: 3, autocomplete: true });
    expect(subcommand('help').options![0]!.choices).toBeUndefined();
    expect(subcommand('status').options![0]).toMatchObject({ name: 'target', autocomplete: true });
  });
});

describe('options written back as a command line', () => {
  const examples = commandDefinitions.flatMap((c) => c.examples.map((e) => [c.name, e] as const));

  it.each(examples)('%s: "%s" parses the same from Discord options', (_name, example) => {
    const invocation = invocationOf(example);
    expect(invocation, 'no Discord subcommand takes this example').toBeDefined();
    const text = interactionToText(invocation!.invoked, invocation!.options);
    const fromDiscord = parseCommand(text);
    const typed = parseCommand(example);
    expect(typed.ok).toBe(true);
    expect(fromDiscord).toEqual(typed);
  });

  it.each([
    ['snapshot', 'take', { vm: 'TestVM' }, 'snapshot TestVM'],
    ['snapshot', 'take', { vm: 'TestVM', name: 'before', vmstate: true }, 'snapshot TestVM before --vmstate'],
    ['snapshot', 'list', { vm: 'TestVM' }, 'snapshots TestVM'],
    ['snapshot', 'rollback', { vm: 'TestVM', snapshot: 'x', start: true }, 'rollback TestVM x --start'],
    ['snapshot', 'delete', { vm: 'TestVM', snapshot: 'x' }, 'snapshot delete TestVM x'],
    ['backup', 'run', { vms: 'TestVM ct-dns01', mode: 'stop' }, 'backup "TestVM ct-dns01" --mode stop'],
    ['backup', 'list', { vm: '200' }, 'backups 200'],
    ['replication', 'list', {}, 'replication'],
    ['replication', 'run', { id: '100-0' }, 'replication run 100-0'],
    [
      'replication',
      'create',
      { vm: 'TestVM', node: 'node02', schedule: '*/30' },
      'replicate TestVM node02 --schedule */30',
    ],
    ['jobs', 'list', {}, 'jobs'],
    ['jobs', 'cancel', { job: 'migrate-7f3a' }, 'cancel migrate-7f3a'],
  ] as const)('/pve %s %s %j is typed as `%s`', (group, name, options, text) => {
    expect(interactionToText({ group, subcommand: name }, new Map(Object.entries(options)))).toBe(text);
  });

  it('writes a grouped subcommand this version does not know as one unknown word', () => {
    const text = interactionToText({ group: 'snapshot', subcommand: 'prune' }, new Map([['vm', 'TestVM']]));
    expect(text).toBe('snapshot-prune');
    const parsed = parseCommand(text);
    expect(parsed.ok).toBe(false);
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

  it('with several clusters, every subcommand takes an autocompleted cluster, written as --cluster', () => {
    const [pve] = slashCommandDefinitions({ clusters: ['lab', 'prod'] });
    const subcommands = (pve!.options as unknown as Option[]).flatMap((o) =>
      o.type === GROUP ? (o.options ?? []) : [o],
    );
    for (const sub of subcommands) {
      const cluster = (sub.options ?? []).find((o) => o.name === 'cluster');
      expect(cluster, sub.name).toMatchObject({ type: 3, autocomplete: true, required: false });
    }
    expect(
      interactionToText(
        'migrate',
        new Map<string, OptionValue>([
          ['vm', 'TestVM'],
          ['node', 'node03'],
          ['cluster', 'lab'],
        ]),
      ),
    ).toBe('migrate TestVM node03 --cluster lab');
    // One cluster: no such option.
    const [single] = slashCommandDefinitions({ clusters: ['lab'] });
    const singleSubcommands = (single!.options as unknown as Option[]).flatMap((o) =>
      o.type === GROUP ? (o.options ?? []) : [o],
    );
    expect(singleSubcommands.filter((s) => (s.options ?? []).some((o) => o.name === 'cluster'))).toEqual([]);
  });
});
