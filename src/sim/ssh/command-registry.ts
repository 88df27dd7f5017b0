// The command lines the nodes' sshd runs: the domain registers exact patterns; a line that
// matches none is refused (exit 127), so a client can only run what a rolling upgrade needs.
import type { CommandRegistry, SimCommandHandler } from '../types.js';

export class SimCommandRegistry implements CommandRegistry {
  readonly #commands: Array<{ pattern: RegExp; handler: SimCommandHandler }> = [];

  on(pattern: RegExp, handler: SimCommandHandler): void {
    if (!pattern.source.startsWith('^') || !pattern.source.endsWith('$')) {
      throw new Error(`command pattern ${pattern} must be anchored with ^ and $`);
    }
    this.#commands.push({ pattern, handler });
  }

  match(line: string): { handler: SimCommandHandler; args: string[] } | undefined {
    for (const { pattern, handler } of this.#commands) {
      const match = pattern.exec(line);
      if (match) return { handler, args: match.slice(1).map((arg) => arg ?? '') };
    }
    return undefined;
  }
}
