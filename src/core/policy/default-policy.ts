import { ANYONE, EVERYONE_ROLE, type Policy } from './policy-types.js';

/**
 * The policy without a policy file: read commands for everyone, nothing else. Every disruptive
 * command (and every unknown or future one) is refused with what to write in a policy file, since
 * nobody is named to run or approve it; the private views (the audit log, everyone's jobs, the
 * join information) are refused too, and `jobs` shows each person their own. The console of
 * `pve-chatops all --console` follows the same rule: its operator names `console:<user>` in a
 * policy file to do more. The demo brings its own policy.
 */
export function defaultPolicy(): Policy {
  return { source: 'built-in defaults', builtIn: true, roles: { [EVERYONE_ROLE]: [ANYONE] }, commands: {} };
}
