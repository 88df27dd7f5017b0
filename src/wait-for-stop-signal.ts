// Stopping a command: on SIGINT or SIGTERM it shuts down cleanly, within a bound. A clean stop
// closes connections, and with Redis down or stopped (SIGSTOP) a close can wait for ever: a
// process that ignores its SIGTERM is killed by the orchestrator later anyway (docker stop after
// 10 s, systemd after 90 s), without a word in the log. So the stop has a deadline: past it, the
// process says what it was waiting for and exits. Nothing is lost by that: an accepted job lives
// in Redis, and a job a worker was running is resumed by another worker once its lock expires.

/** How long a clean stop may take, whatever state Redis is in. */
export const SHUTDOWN_GRACE_MS = 10_000;

export interface StopOptions {
  /** Default SHUTDOWN_GRACE_MS. */
  graceMs?: number;
  /** Called when the stop overran, just before the process exits with status 1 (log it here). */
  onOverdue?: (graceMs: number) => void;
}

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
  const timer = setTimeout(() => {
    options.onOverdue?.(graceMs);
    process.exit(1);
  }, graceMs);
  timer.unref();
}
