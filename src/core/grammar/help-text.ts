// `help` and `help <command>`, derived from the definitions. Plain text; `backticks` mark code and
// the chat adapters render them.
import { commandDefinitions, findCommand } from './command-list.js';
import { commandUsage, flagUsage } from './command-usage.js';
import type { CommandDefinition } from './define-command.js';
import { closestMatch } from './edit-distance.js';
import { quoteInput } from './quote-input.js';

function listLine(command: CommandDefinition): string {
  return `\`${commandUsage(command)}\` — ${command.summary}`;
}

function commandList(): string {
  const all: readonly CommandDefinition[] = commandDefinitions;
  return [
    'Commands (`help <command>` for details):',
    ...all.filter((c) => c.risk === 'read').map(listLine),
    '',
    'Commands that change the cluster (they may wait for an approval):',
    ...all.filter((c) => c.risk === 'disruptive').map(listLine),
  ].join('\n');
}

export function commandHelp(command: CommandDefinition): string {
  const lines = [
    `\`${commandUsage(command)}\``,
    command.summary + (command.description ? `. ${command.description}` : ''),
  ];
  if (command.positionals.length > 0) {
    lines.push('', 'Arguments:');
    for (const p of command.positionals)
      lines.push(`  \`${p.name}\` ${p.description}${p.optional ? ' (optional)' : ''}`);
  }
  const flags = Object.entries(command.flags);
  if (flags.length > 0) {
    lines.push('', 'Options:');
    for (const [name, flag] of flags) lines.push(`  \`${flagUsage(name, flag)}\` ${flag.description}`);
    for (const group of command.exclusive)
      lines.push(`  ${group.map((name) => `\`--${name}\``).join(' and ')} exclude each other`);
  }
  lines.push('', 'Examples:', ...command.examples.map((example) => `  \`${example}\``));
  if (command.aliases.length > 0)
    lines.push('', `Also: ${command.aliases.map((a) => `\`${a}\``).join(', ')}`);
  if (command.risk === 'disruptive') lines.push('', 'This changes the cluster: it may wait for an approval.');
  return lines.join('\n');
}

/** The command list, or one command's help; an unknown topic gets a suggestion and the list. */
export function helpText(topic?: string): string {
  if (topic === undefined || topic.trim() === '') return commandList();
  const command = findCommand(topic.trim());
  if (command) return commandHelp(command);
  const names = commandDefinitions.map((c) => c.name);
  const close = closestMatch(topic.trim(), names);
  const hint = close ? ` Did you mean \`${close}\`?` : '';
  return `There is no command ${quoteInput(topic.trim())}.${hint}\n\n${commandList()}`;
}
