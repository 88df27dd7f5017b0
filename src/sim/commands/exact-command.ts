// The SSH commands are fixed strings: a pattern that matches exactly that line and nothing else.

export function exactCommand(line: string): RegExp {
  return new RegExp(`^${line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
}
