import { isPveError, PveError, PveErrorCode } from './pve-error.js';

export interface FailoverOptions<R> {
  /** Host labels (origins) in configured order. */
  hosts: readonly string[];
  /** Index to try first: the last host that answered (sticky). */
  startIndex: number;
  /**
   * Whether a request that may already have reached a server can be tried again elsewhere.
   * Only GET is: a POST that timed out after being sent might have started a task.
   */
  idempotent: boolean;
  attempt: (index: number) => Promise<R>;
  /** Told about every host given up, for logging. */
  onHostFailed?: (host: string, error: PveError) => void;
}

/**
 * Tries hosts in turn. A host whose connection could not be established (refused, reset or timed
 * out while connecting, TLS refused) is skipped: nothing was sent, so trying the next one is safe
 * for every method. A failure after the connection was up may have reached pveproxy; it is
 * retried once on the next host for GET and never for anything else. HTTP error answers are
 * answers, not host failures, and pass through unchanged.
 */
export async function withFailover<R>(options: FailoverOptions<R>): Promise<{ value: R; index: number }> {
  const { hosts } = options;
  const failures: { host: string; reason: string; error: PveError }[] = [];
  let sentRetriesLeft = options.idempotent ? 1 : 0;

  for (let k = 0; k < hosts.length; k++) {
    const index = (options.startIndex + k) % hosts.length;
    const host = hosts[index] ?? '';
    try {
      return { value: await options.attempt(index), index };
    } catch (error) {
      if (!isHostFailure(error)) throw error;
      failures.push({ host, reason: `${error.code}: ${error.message}`, error });
      options.onHostFailed?.(host, error);
      if (error.mayHaveReachedServer) {
        if (sentRetriesLeft === 0) throw aggregate(failures, error);
        sentRetriesLeft--;
      }
    }
  }
  throw aggregate(failures);
}

function isHostFailure(error: unknown): error is PveError {
  if (!isPveError(error) || error.statusCode !== undefined) return false;
  return (
    error.code === PveErrorCode.Connection ||
    error.code === PveErrorCode.Tls ||
    error.code === PveErrorCode.Timeout
  );
}

function aggregate(failures: { host: string; reason: string; error: PveError }[], last?: PveError): PveError {
  const hosts = failures.map(({ host, reason }) => ({ host, reason }));
  const list = hosts.map(({ host, reason }) => `${host}: ${reason}`).join('; ');
  if (last) {
    // The request may have been processed: say so instead of pretending no host was reachable.
    return new PveError({
      code: last.code,
      message: `${last.message} (request not resent, it may have reached PVE) [${list}]`,
      host: last.host,
      method: last.method,
      path: last.path,
      mayHaveReachedServer: true,
      hosts,
      cause: last,
    });
  }
  const allTls = failures.length > 0 && failures.every(({ error }) => error.code === PveErrorCode.Tls);
  const first = failures[0]?.error;
  return new PveError({
    code: allTls ? PveErrorCode.Tls : PveErrorCode.Connection,
    message: `no PVE host reachable: ${list || 'no hosts configured'}`,
    method: first?.method,
    path: first?.path,
    mayHaveReachedServer: false,
    hosts,
    cause: first,
  });
}
