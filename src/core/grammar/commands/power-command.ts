// start, stop, shutdown and reboot share one shape: a guest, and nothing else.
import { defineCommand } from '../define-command.js';
import { vmRef } from '../value-schemas.js';

export function powerCommand<const N extends string>(name: N, summary: string, description: string) {
  return defineCommand({
    name,
    summary,
    description,
    positionals: [{ name: 'vm', schema: vmRef(), description: `the VM to ${name} (name or vmid)` }],
    risk: 'disruptive',
    examples: [`${name} TestVM`, `${name} 100`],
  });
}
