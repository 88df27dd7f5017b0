import { isPveError, PveErrorCode } from './pve-error.js';

// A short blip while polling (pveproxy stopped during an upgrade, one 595, pmxcfs not answering)
// must not fail a long wait; this many in a row do. A 401 is not a blip: PVE answers it only when
// the token itself is refused (a reload keeps pveproxy's listening socket; a restarting pmxcfs
// delays requests, or fails them with a 500 before the token is read).
export const MAX_CONSECUTIVE_POLL_ERRORS = 5;

const TRANSIENT = new Set<string>([
  PveErrorCode.Connection,
  PveErrorCode.Timeout,
  PveErrorCode.NodeUnreachable,
  PveErrorCode.ClusterFsUnavailable,
]);

/** An error a poll loop may ride out (up to MAX_CONSECUTIVE_POLL_ERRORS in a row). */
export function isTransientPollError(error: unknown): boolean {
  return isPveError(error) && TRANSIENT.has(error.code);
}

/** Counts transient poll errors in a row: a poll loop's tolerance for blips, in one place. */
export class TransientErrorBudget {
  #consecutive = 0;

  /** A poll got its answers: the run of errors is over. */
  succeeded(): void {
    this.#consecutive = 0;
  }

  /** Rethrows `error` unless it is transient and the run is still short enough to ride out. */
  absorb(error: unknown): void {
    if (!isTransientPollError(error)) throw error;
    this.#consecutive += 1;
    if (this.#consecutive >= MAX_CONSECUTIVE_POLL_ERRORS) throw error;
  }
}
