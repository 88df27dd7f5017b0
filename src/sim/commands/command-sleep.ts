// Simulated time for a command that may die at any moment: a sleep on the cluster's scheduler
// that rejects as soon as the command's connection is gone (or the simulator stops).
import type { Scheduler } from '../cluster/scheduler.js';

/** The command's process died with its connection; nothing after the failed sleep may happen. */
export class CommandKilled extends Error {
  override readonly name = 'CommandKilled';
}

export function commandSleep(scheduler: Scheduler, signal: AbortSignal): (realMs: number) => Promise<void> {
  return async (realMs) => {
    if (signal.aborted) throw new CommandKilled('the connection is gone');
    let onAbort: (() => void) | undefined;
    try {
      await scheduler.sleep(realMs, (cancel) => {
        onAbort = () => cancel(new CommandKilled('the connection is gone'));
        signal.addEventListener('abort', onAbort, { once: true });
      });
    } finally {
      // One listener per sleep would pile up over a long upgrade: remove each when done.
      if (onAbort) signal.removeEventListener('abort', onAbort);
    }
  };
}
