// INTAKE_CONCURRENCY, INTAKE_CLAIM_IDLE_MS: how a bot replica consumes the command intake (the
// Redis stream between a platform's acknowledgement and the handling; core/intake). Both only
// matter to processes that serve chat (`all`, `bot`).
import type { IntakeConfig } from './config-types.js';
import type { Environment, Problem } from './environment.js';

/**
 * The claim is refreshed every third of this, so it must outlast a pause of a live replica's
 * event loop (a GC, a busy host) by a wide margin, or a live replica's entry is taken over.
 */
const MIN_CLAIM_IDLE_MS = 500;
/** Well under the intake's 2-minute deadline: a takeover must leave time to handle the request. */
const MAX_CLAIM_IDLE_MS = 30_000;

export function readIntake(env: Environment, problem: Problem): IntakeConfig {
  const concurrency = Number(env.INTAKE_CONCURRENCY ?? '8');
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) {
    problem('INTAKE_CONCURRENCY', `must be a whole number from 1 to 256 (got '${env.INTAKE_CONCURRENCY}')`);
  }
  const claimIdleMs = Number(env.INTAKE_CLAIM_IDLE_MS ?? '15000');
  if (!Number.isInteger(claimIdleMs) || claimIdleMs < MIN_CLAIM_IDLE_MS || claimIdleMs > MAX_CLAIM_IDLE_MS) {
    problem(
      'INTAKE_CLAIM_IDLE_MS',
      `must be milliseconds from ${MIN_CLAIM_IDLE_MS} to ${MAX_CLAIM_IDLE_MS} (got '${env.INTAKE_CLAIM_IDLE_MS}')`,
    );
  }
  return { concurrency, claimIdleMs };
}
