import { ANYONE, EVERYONE_ROLE, type Policy } from './policy-types.js';

/**
 * The policy without a policy file. Safe: read commands for everyone; every other command
 * (disruptive, unknown or future) for everyone, but only after one approval by someone other than
 * the requester within 30 minutes (check-policy.ts resolves commands no entry names this way).
 */
export function defaultPolicy(): Policy {
  return { source: 'built-in defaults', roles: { [EVERYONE_ROLE]: [ANYONE] }, commands: {} };
}
