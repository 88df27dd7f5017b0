// Stopping a command: on SIGINT or SIGTERM it shuts down cleanly, within a bound. A clean stop
// closes connections, and with Redis down or stopped (SIGSTOP) a close can wait for ever: a
// process that ignores its SIGTERM is killed later by whoever sent it, without a word in the log.
// So the stop has a deadline: past it, the process says what it was waiting for and exits.
// Nothing is lost by that: an accepted job lives in Redis, and a job a worker was running is
// resumed by another worker once its lock expires. One thing holds the deadline: a step that must
// never be cut (an apt-get dist-upgrade: cut in the middle, it can leave a node unbootable). The
// process waits for it, saying so, and the deadline runs again from its end; the deploy files
// give the stop the time a dist-upgrade takes (Compose stop_grace_period, systemd TimeoutStopSec).

/** How long a clean stop may take, whatever state Redis is in. */
export const SHUTDOWN_GRACE_MS = 10_000;

export interface StopOptions {
  /** Default SHUTDOWN_GRACE_MS. */
  graceMs?: number;
  /** Called when the stop overran, just before the process exits with status 1 (log it here). */
  onOverdue?: (graceMs: number) => void;
  /** What must finish before the process may be cut (e.g. a dist-upgrade in flight); none by default. */
  holdWhile?: () => string[];
  /** Called when the deadline came while `holdWhile` named something (log it here). */
  onHold?: (holding: string[]) => void;
}

/** How often a held stop looks again whether what holds it has finished. */
const HOLD_RECHECK_MS = 1_000;

/**
 * Resolves on the first SIGINT or SIGTERM, so a command can shut down cleanly, and from then on
 * bounds that shutdown (see exitIfNotStoppedWithin). A second signal kills at once (Node's
 * default, the handlers being gone).
 */
export function waitForStopSignal(options: StopOptions = {}): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      exitIfNotStoppedWithin(options);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

/**
 * Exits the process (status 1) if it is still running `graceMs` from now. The timer does not keep
 * the process alive: a shutdown that finishes ends the process as usual, before it fires.
 */
export function exitIfNotStoppedWithin(options: StopOptions = {}): void {
  const graceMs = options.graceMs ?? SHUTDOWN_GRACE_MS;
  let held = false;
  const deadline = () => {
    const holding = options.holdWhile?.() ?? [];
    if (holding.length > 0) {
      if (!held) options.onHold?.(holding);
      held = true;
      setTimeout(deadline, HOLD_RECHECK_MS).unref();
      return;
    }
    if (held) {
      // What held the stop has ended: the clean stop gets its full time again from here.
      held = false;
      setTimeout(deadline, graceMs).unref();
      return;
    }
    options.onOverdue?.(graceMs);
    process.exit(1);
  };
  setTimeout(deadline, graceMs).unref();
}
