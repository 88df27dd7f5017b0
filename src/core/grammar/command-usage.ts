// The one-line usage derived from a definition: `migrate <vm> <node> [--online|--offline] [--with-local-disks] [--snapshot]`.
import type { CommandDefinition, FlagDefinition } from './define-command.js';

export function flagUsage(name: string, flag: FlagDefinition): string {
  return flag.value === undefined ? `--${name}` : `--${name} <${flag.value}>`;
}

export function commandUsage(command: CommandDefinition): string {
  const parts: string[] = [command.name];
  for (const p of command.positionals) {
    const word = p.rest ? `${p.name}...` : p.name;
    parts.push(p.optional ? `[${word}]` : `<${word}>`);
  }
  const grouped = new Set(command.exclusive.flat());
  const shown = new Set<string>();
  for (const name of Object.keys(command.flags)) {
    if (shown.has(name)) continue;
    const group = grouped.has(name) ? command.exclusive.find((g) => g.includes(name))! : [name];
    for (const member of group) shown.add(member);
    parts.push(`[${group.map((member) => flagUsage(member, command.flags[member]!)).join('|')}]`);
  }
  return parts.join(' ');
}
