import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { bindArguments } from '../../src/core/grammar/bind-arguments.js';
import { commandUsage } from '../../src/core/grammar/command-usage.js';
import { editDistance } from '../../src/core/grammar/edit-distance.js';
import {
  type CommandName,
  commandDefinitions,
  commandRisk,
  defineCommand,
  helpText,
  MAX_COMMAND_LENGTH,
  type ParsedCommand,
  parseCommand,
} from '../../src/core/grammar/index.js';
import { tokenize } from '../../src/core/grammar/tokenize.js';

/** The parsed command, failing the test with the parser's error when there is none. */
function ok<N extends ParsedCommand['name']>(text: string, name: N): Extract<ParsedCommand, { name: N }> {
  const result = parseCommand(text);
  if (!result.ok) throw new Error(`'${text}' was refused: ${result.error}`);
  expect(result.command.name).toBe(name);
  return result.command as Extract<ParsedCommand, { name: N }>;
}

function refused(text: string): { error: string; help: string } {
  const result = parseCommand(text);
  if (result.ok) throw new Error(`'${text}' was accepted as ${JSON.stringify(result.command)}`);
  return result;
}

const MIGRATE_USAGE =
  'migrate <vm> <node> [--online|--offline] [--with-local-disks] [--snapshot] [--at <time>|--window <name>]';

describe('parseCommand: every command, valid input', () => {
  it('reads help with and without a topic', () => {
    expect(ok('help', 'help').args).toEqual({ command: undefined });
    expect(ok('help Migrate', 'help').args).toEqual({ command: 'migrate' });
    expectTypeOf(ok('help', 'help').args).toEqualTypeOf<{ command: string | undefined }>();
  });

  it('reads status for the cluster, a node, a VM name and a vmid', () => {
    expect(ok('status', 'status').args).toEqual({ target: undefined });
    expect(ok('status node02', 'status').args).toEqual({ target: 'node02' });
    expect(ok('status TestVM', 'status').args).toEqual({ target: 'TestVM' });
    expect(ok('status 100', 'status').args).toEqual({ target: '100' });
    expectTypeOf(ok('status', 'status').args).toEqualTypeOf<{ target: string | undefined }>();
  });

  it('reads start with a name or a vmid', () => {
    expect(ok('start TestVM', 'start').args).toEqual({ vm: 'TestVM' });
    expect(ok('start 999999999', 'start').args).toEqual({ vm: '999999999' });
    expect(ok('start web-01.example', 'start').args).toEqual({ vm: 'web-01.example' });
    expectTypeOf(ok('start 100', 'start').args).toEqualTypeOf<{
      vm: string;
      at: string | undefined;
      window: string | undefined;
    }>();
    expect(parseCommand('start TestVM --snapshot')).toMatchObject({ ok: false });
  });

  it.each(['stop', 'shutdown', 'reboot'] as const)(
    'reads %s with a name or a vmid, and --snapshot',
    (name) => {
      expect(ok(`${name} TestVM`, name).args).toEqual({ vm: 'TestVM', snapshot: false });
      expect(ok(`${name} 999999999`, name).args).toEqual({ vm: '999999999', snapshot: false });
      expect(ok(`${name} web-01.example --snapshot`, name).args).toEqual({
        vm: 'web-01.example',
        snapshot: true,
      });
      expectTypeOf(ok(`${name} 100`, name).args).toEqualTypeOf<{
        vm: string;
        snapshot: boolean;
        at: string | undefined;
        window: string | undefined;
      }>();
    },
  );

  it('reads migrate with its switches, false when absent', () => {
    expect(ok('migrate TestVM node03', 'migrate').args).toEqual({
      vm: 'TestVM',
      node: 'node03',
      online: false,
      offline: false,
      withLocalDisks: false,
      snapshot: false,
    });
    const args = ok('migrate 100 node02 --offline --with-local-disks --snapshot', 'migrate').args;
    expect(args).toMatchObject({
      vm: '100',
      node: 'node02',
      offline: true,
      withLocalDisks: true,
      online: false,
      snapshot: true,
    });
    expectTypeOf(args).toEqualTypeOf<{
      vm: string;
      node: string;
      at: string | undefined;
      window: string | undefined;
      online: boolean;
      offline: boolean;
      withLocalDisks: boolean;
      snapshot: boolean;
    }>();
  });

  it('reads clone with value options as numbers and strings, undefined when absent', () => {
    expect(ok('clone TestVM web02', 'clone').args).toEqual({
      vm: 'TestVM',
      newName: 'web02',
      id: undefined,
      target: undefined,
      pool: undefined,
      linked: false,
    });
    const args = ok('clone 9000 web03.lab --id 130 --target node02 --pool web_pool.1 --linked', 'clone').args;
    expect(args).toEqual({
      vm: '9000',
      newName: 'web03.lab',
      id: 130,
      target: 'node02',
      pool: 'web_pool.1',
      linked: true,
    });
    expectTypeOf(args).toEqualTypeOf<{
      vm: string;
      newName: string;
      id: number | undefined;
      target: string | undefined;
      pool: string | undefined;
      linked: boolean;
    }>();
  });

  it('reads jobs, cancel, audit (default 10) and whoami', () => {
    expect(ok('jobs', 'jobs').args).toEqual({});
    expect(ok('cancel migrate-7f3a_1.2', 'cancel').args).toEqual({ job: 'migrate-7f3a_1.2' });
    expect(ok('audit', 'audit').args).toEqual({ n: 10 });
    expect(ok('audit 100', 'audit').args).toEqual({ n: 100 });
    expectTypeOf(ok('audit', 'audit').args).toEqualTypeOf<{ n: number }>();
    expect(ok('whoami', 'whoami').args).toEqual({});
  });

  it('parses every example of every definition as that command', () => {
    for (const command of commandDefinitions) {
      for (const example of command.examples)
        expect(ok(example, command.name as CommandName).name).toBe(command.name);
    }
  });
});

describe('parseCommand: words, quotes, options and case', () => {
  it('treats empty text and a bare /pve as help', () => {
    for (const text of ['', '   ', '/pve', '/PVE  ', '\n\t'])
      expect(ok(text, 'help').args).toEqual({ command: undefined });
  });

  it('ignores a leading /pve', () => {
    expect(ok('/pve start TestVM', 'start').args).toEqual({ vm: 'TestVM' });
  });

  it('matches command names, aliases and option names in any case', () => {
    expect(ok('MIGRATE TestVM node03 --ONLINE', 'migrate').args).toMatchObject({
      vm: 'TestVM',
      online: true,
    });
    expect(ok('Mv TestVM node03', 'migrate').args).toMatchObject({ node: 'node03' });
    expect(ok('ST', 'status').args).toEqual({ target: undefined });
    expect(ok('? clone', 'help').args).toEqual({ command: 'clone' });
  });

  it('keeps the case of values', () => {
    expect(ok('start tEsTvM', 'start').args).toEqual({ vm: 'tEsTvM' });
  });

  it('accepts --name=value and --name value, anywhere among the words', () => {
    expect(ok('clone --id=130 TestVM --target=node02 web02', 'clone').args).toMatchObject({
      vm: 'TestVM',
      newName: 'web02',
      id: 130,
      target: 'node02',
    });
  });

  it('groups quoted words, with single, double and typographic quotes', () => {
    expect(tokenize(`a "b c" 'd e' “f g” x"y z"w`)).toEqual({
      ok: true,
      tokens: [
        { text: 'a', quotedStart: false },
        { text: 'b c', quotedStart: true },
        { text: 'd e', quotedStart: true },
        { text: 'f g', quotedStart: true },
        { text: 'xy zw', quotedStart: false },
      ],
    });
    expect(ok(`start "TestVM"`, 'start').args).toEqual({ vm: 'TestVM' });
    expect(ok(`clone 'TestVM' "web02" --pool="web"`, 'clone').args).toMatchObject({
      newName: 'web02',
      pool: 'web',
    });
  });

  it('takes a quoted word that starts with dashes as a value, not an option', () => {
    expect(refused('start "--online"').error).toBe(
      "'--online' is not a VM name or vmid (letters, digits, '.' and '-', up to 63 characters; or a vmid)",
    );
  });

  it('answers --help and -h after any command with that command’s help', () => {
    expect(ok('migrate --help', 'help').args).toEqual({ command: 'migrate' });
    expect(ok('clone TestVM -h', 'help').args).toEqual({ command: 'clone' });
    expect(ok('--help', 'help').args).toEqual({ command: undefined });
  });
});

describe('parseCommand: invalid input says what is wrong and what would be right', () => {
  it('names a missing positional and gives the usage', () => {
    const { error, help } = refused('migrate TestVM');
    expect(error).toBe(`migrate needs a target node: usage \`${MIGRATE_USAGE}\``);
    expect(help).toContain(`\`${MIGRATE_USAGE}\``);
    expect(refused('start').error).toBe(
      'start needs the VM to start (name or vmid): usage `start <vm> [--at <time>|--window <name>]`',
    );
  });

  it('lists the options of the command for an unknown option', () => {
    expect(refused('migrate TestVM node03 --fast').error).toBe(
      'unknown option --fast for migrate; options: --online, --offline, --with-local-disks, --snapshot, --at, --window',
    );
    expect(refused('migrate TestVM node03 --onlin').error).toBe(
      'unknown option --onlin for migrate (did you mean --online?); options: --online, --offline, --with-local-disks, --snapshot, --at, --window',
    );
    expect(refused('snapshots TestVM --force').error).toBe(
      'unknown option --force for snapshots; snapshots takes no options',
    );
    expect(refused('snapshots TestVM -f').error).toBe(
      'unknown option -f for snapshots; snapshots takes no options',
    );
    expect(refused('snapshots TestVM --__proto__').error).toBe(
      "unknown option '--__proto__' for snapshots; snapshots takes no options",
    );
  });

  it('refuses options that exclude each other', () => {
    expect(refused('migrate TestVM node03 --online --offline').error).toBe(
      '--online and --offline cannot be used together',
    );
  });

  it('refuses a value that breaks its format, quoting it and stating the format', () => {
    expect(refused('migrate TestVM "node 3"').error).toBe(
      "'node 3' is not a node name (letters, digits and '-')",
    );
    expect(refused('migrate TestVM node03-').error).toBe(
      "'node03-' is not a node name (letters, digits and '-')",
    );
    expect(refused('start 42').error).toBe("'42' is not a vmid (a whole number from 100 to 999999999)");
    expect(refused('start 1000000000').error).toBe(
      "'1000000000' is not a vmid (a whole number from 100 to 999999999)",
    );
    expect(refused(`start ${'a'.repeat(64)}`).error).toMatch(/^'a{40}…' is not a VM name or vmid/);
    expect(refused('start -TestVM').error).toBe('unknown option -TestVM for start; options: --at, --window');
    expect(refused('clone TestVM web_02').error).toBe(
      "'web_02' is not a valid name (letters, digits and '-', dot-separated parts of up to 63 characters)",
    );
    expect(refused('clone TestVM web..02').error).toMatch(/^'web\.\.02' is not a valid name/);
    expect(refused(`clone TestVM ${'a'.repeat(64)}.lab`).error).toMatch(/is not a valid name/);
    expect(ok(`clone TestVM ${'a'.repeat(63)}.lab`, 'clone').args.newName).toHaveLength(67);
    expect(refused(`clone TestVM ${Array(65).fill('abc').join('.')}`).error).toMatch(/is not a valid name/);
    expect(refused('clone TestVM web02 --pool "a b"').error).toBe(
      "--pool: 'a b' is not a pool name (letters, digits, '_', '.' and '-')",
    );
    expect(refused('cancel a/b').error).toBe(
      "'a/b' is not a job id (up to 100 letters, digits, '_', '.' and '-')",
    );
    expect(refused(`cancel ${'j'.repeat(101)}`).error).toMatch(/is not a job id/);
  });

  it('refuses numbers out of range or not whole', () => {
    expect(refused('audit 0').error).toBe("'0' is not a number of entries (a whole number from 1 to 100)");
    expect(refused('audit 101').error).toMatch(/^'101' is not a number of entries/);
    expect(refused('audit -5').error).toMatch(/^'-5' is not a number of entries/);
    expect(refused('audit 1e1').error).toMatch(/^'1e1' is not/);
    expect(refused('clone TestVM web02 --id 99').error).toBe(
      "--id: '99' is not a vmid (a whole number from 100 to 999999999)",
    );
    expect(refused('clone TestVM web02 --id=0x80').error).toMatch(/^--id: '0x80' is not a vmid/);
  });

  it('refuses option values that are missing, doubled, or given to a switch', () => {
    expect(refused('clone TestVM web02 --id').error).toBe('--id needs a value: `--id <vmid>`');
    expect(refused('clone TestVM web02 --id --linked').error).toBe('--id needs a value: `--id <vmid>`');
    expect(refused('clone TestVM web02 --id=').error).toBe('--id needs a value: `--id <vmid>`');
    expect(refused('clone TestVM web02 --id 130 --id 131').error).toBe('--id is given twice');
    expect(refused('clone TestVM web02 --linked=yes').error).toBe(
      '--linked is a switch and takes no value: use `--linked` alone',
    );
  });

  it('refuses extra words', () => {
    expect(refused('start TestVM now').error).toBe(
      "too many arguments for start: 'now' is extra; usage `start <vm> [--at <time>|--window <name>]`",
    );
    expect(refused('digest please').error).toBe(
      "digest takes no arguments, but got 'please': usage `digest`",
    );
  });

  it('applies a definition’s cross-field rule', () => {
    expect(refused('clone TestVM testvm').error).toBe(
      "the new name must differ from 'TestVM': clone TestVM <new-name>",
    );
  });

  it('suggests the closest command for a typo and shows the command list', () => {
    const { error, help } = refused('migarte TestVM node03');
    expect(error).toBe("unknown command 'migarte'. Did you mean 'migrate'? Type `help` for the list");
    expect(help).toBe(helpText());
    expect(refused('stauts').error).toContain("Did you mean 'status'?");
    expect(refused('frobnicate').error).toBe("unknown command 'frobnicate'. Type `help` for the list");
  });

  it('gives the command’s own help with an error about its arguments', () => {
    expect(refused('clone TestVM').help).toBe(helpText('clone'));
  });

  it('refuses unbalanced quotes, control characters and over-long text clearly', () => {
    const quote = refused('start "TestVM');
    expect(quote.error).toBe('the quote " at character 7 is never closed: close it, or remove it');
    expect(quote.help).toBe(helpText('start'));
    expect(refused("migrate 'TestVM node03").error).toContain("the quote ' at character 9 is never closed");
    expect(refused('start Test\u0000VM').error).toBe(
      'the command contains a control character (U+0000) at character 11; remove it',
    );
    expect(refused(`status ${'x'.repeat(MAX_COMMAND_LENGTH)}`).error).toBe(
      `the command is ${MAX_COMMAND_LENGTH + 7} characters long; the limit is ${MAX_COMMAND_LENGTH}`,
    );
  });

  it('spells out invisible characters in the value it quotes', () => {
    expect(refused('start Test\u200bVM').error).toMatch(/^'Test\\u\{200b\}VM' is not/);
    expect(refused('start ünïcode').error).toMatch(/^'ünïcode' is not a VM name/);
  });
});

describe('helpText: derived from the definitions', () => {
  it('lists every command with its usage and summary', () => {
    const list = helpText();
    for (const command of commandDefinitions) {
      expect(list).toContain(`\`${commandUsage(command)}\` — ${command.summary}`);
    }
    expect(list).toContain(`\`${MIGRATE_USAGE}\``);
    expect(list).toContain(
      '`clone <vm> <new-name> [--id <vmid>] [--target <node>] [--pool <pool>] [--linked]`',
    );
    expect(list).toContain('`audit [n]`');
  });

  it('explains one command: usage, arguments, every option, examples', () => {
    for (const command of commandDefinitions) {
      const help = helpText(command.name);
      expect(help.split('\n')[0]).toBe(`\`${commandUsage(command)}\``);
      for (const p of command.positionals) expect(help).toContain(`\`${p.name}\` ${p.description}`);
      for (const flag of Object.values(command.flags)) expect(help).toContain(flag.description);
      for (const name of Object.keys(command.flags)) expect(help).toContain(`\`--${name}`);
      for (const example of command.examples) expect(help).toContain(`\`${example}\``);
    }
    expect(helpText('migrate')).toContain('`--online` and `--offline` exclude each other');
    expect(helpText('MV')).toBe(helpText('migrate'));
  });

  it('answers an unknown topic with a suggestion and the list', () => {
    expect(helpText('migarte')).toBe(
      `There is no command 'migarte'. Did you mean \`migrate\`?\n\n${helpText()}`,
    );
  });
});

describe('definitions', () => {
  it('declares the risk of each command; unknown names count as disruptive', () => {
    const risks = Object.fromEntries(commandDefinitions.map((c) => [c.name, c.risk]));
    expect(risks).toEqual({
      help: 'read',
      status: 'read',
      tasks: 'read',
      start: 'disruptive',
      stop: 'disruptive',
      shutdown: 'disruptive',
      reboot: 'disruptive',
      migrate: 'disruptive',
      clone: 'disruptive',
      create: 'disruptive',
      snapshot: 'disruptive',
      snapshots: 'read',
      rollback: 'disruptive',
      backup: 'disruptive',
      backups: 'read',
      updates: 'read',
      digest: 'read',
      cluster: 'read',
      replication: 'read',
      replicate: 'disruptive',
      node: 'disruptive',
      ha: 'disruptive',
      upgrade: 'disruptive',
      balance: 'disruptive',
      jobs: 'read',
      scheduled: 'read',
      cancel: 'read',
      audit: 'read',
      whoami: 'read',
    });
    expect(commandRisk('MIGRATE')).toBe('disruptive');
    expect(commandRisk('st')).toBe('read');
    expect(commandRisk('upgrade')).toBe('disruptive');
  });

  it('gives no two commands the same name or alias', () => {
    const words = commandDefinitions.flatMap((c) => [c.name, ...c.aliases]);
    expect(new Set(words).size).toBe(words.length);
  });

  it('refuses a malformed definition when it is made', () => {
    expect(() =>
      defineCommand({
        name: 'bad',
        summary: 's',
        positionals: [
          { name: 'a', schema: z.string(), description: 'a', optional: true },
          { name: 'b', schema: z.string(), description: 'b' },
        ],
        risk: 'read',
        examples: [],
      }),
    ).toThrow("command 'bad': optional 'a' before a required one");
    expect(() => defineCommand({ name: 'Bad', summary: 's', risk: 'read', examples: [] })).toThrow(
      "'Bad' is not a lower-case word",
    );
  });

  it('joins the remaining words into a rest positional and runs a validate rule on typed args', () => {
    const note = defineCommand({
      name: 'note',
      summary: 'attach a note',
      positionals: [
        { name: 'vm', schema: z.string(), description: 'a VM' },
        { name: 'text', schema: z.string().max(20), description: 'the note', rest: true },
      ],
      flags: { 'dry-run': { schema: z.boolean(), description: 'only show' } },
      risk: 'read',
      examples: [],
      validate: (args) => {
        expectTypeOf(args).toEqualTypeOf<{ vm: string; text: string; dryRun: boolean }>();
        return args.text.includes('secret') ? 'notes cannot hold secrets' : undefined;
      },
    });
    expect(commandUsage(note)).toBe('note <vm> <text...> [--dry-run]');
    const words = (text: string) => (tokenize(text) as { ok: true; tokens: never[] }).tokens;
    expect(bindArguments(note, words('TestVM back  up "at  noon" --dry-run'))).toEqual({
      ok: true,
      args: { vm: 'TestVM', text: 'back up at  noon', dryRun: true },
    });
    expect(bindArguments(note, words('TestVM a secret'))).toEqual({
      ok: false,
      error: 'notes cannot hold secrets',
    });
    expect(bindArguments(note, words('TestVM'))).toEqual({
      ok: false,
      error: 'note needs the note: usage `note <vm> <text...> [--dry-run]`',
    });
  });

  it('measures edit distance with adjacent swaps as one step', () => {
    expect(editDistance('migarte', 'migrate')).toBe(1);
    expect(editDistance('stat', 'status')).toBe(2);
    expect(editDistance('', 'jobs')).toBe(4);
  });
});

describe('parseCommand never throws', () => {
  /** mulberry32: a small seeded PRNG, so a failure replays. */
  function prng(seed: number): () => number {
    let a = seed;
    return () => {
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  const pieces = [
    ...commandDefinitions.flatMap((c) => [
      c.name,
      ...c.aliases,
      ...Object.keys(c.flags).map((f) => `--${f}`),
    ]),
    '/pve',
    '--',
    '-',
    '-h',
    '--help',
    '--id=',
    '=',
    '"',
    "'",
    '“',
    '’',
    ' ',
    '  ',
    '\t',
    '\n',
    '\u0000',
    '\u0007',
    '\u202e',
    '\u200b',
    '\ud800',
    '😀',
    'é',
    'ß',
    'TestVM',
    'node03',
    '100',
    '99',
    '1e3',
    '__proto__',
    'constructor',
    '`',
    '\\',
    '$(id)',
    '<!channel>',
    '%s',
  ];

  it('returns a command or an error with help for 10,000 random strings', () => {
    const random = prng(20240601);
    const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
    for (let i = 0; i < 10_000; i++) {
      const parts: string[] = [];
      const count = Math.floor(random() * 12);
      for (let j = 0; j < count; j++) {
        const roll = random();
        if (roll < 0.5) parts.push(pick(pieces));
        else if (roll < 0.8) parts.push(String.fromCharCode(32 + Math.floor(random() * 95)));
        else if (roll < 0.95) parts.push(String.fromCodePoint(Math.floor(random() * 0x2ffff)));
        else parts.push(pick(pieces).repeat(1 + Math.floor(random() * 400)));
      }
      const text = parts.join(random() < 0.5 ? ' ' : '');
      const result = parseCommand(text);
      if (result.ok) {
        expect(
          commandDefinitions.some((c) => c.name === result.command.name),
          text,
        ).toBe(true);
      } else {
        expect(result.error, text).not.toBe('');
        expect(result.error, text).not.toBe('the command could not be read');
        expect(result.help, text).not.toBe('');
      }
    }
  });
});
