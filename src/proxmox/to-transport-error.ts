import { isPveError, PveError, PveErrorCode } from './pve-error.js';

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/**
 * Turns whatever a request attempt threw into a PveError, recording whether the request may have
 * reached PVE (the failover logic resends only what certainly did not).
 */
export function toTransportError(
  error: unknown,
  ctx: { method: string; path: string; host: string; signal?: AbortSignal | undefined },
): PveError {
  const { method, path, host } = ctx;
  if (isPveError(error)) {
    // Connector errors know only host:port; give them the request's context (nothing was sent).
    if (error.statusCode !== undefined || error.method !== undefined) return error;
    return new PveError({
      code: error.code,
      message: error.message,
      method,
      path,
      host,
      mayHaveReachedServer: false,
      cause: error.cause,
    });
  }
  if (ctx.signal?.aborted) {
    return new PveError({
      code: PveErrorCode.Aborted,
      message: 'request aborted',
      method,
      path,
      host,
      cause: error,
    });
  }
  const code = (error as { code?: unknown }).code;
  const reason = error instanceof Error ? error.message : String(error);
  if (typeof code === 'string' && TIMEOUT_CODES.has(code)) {
    return new PveError({
      code: PveErrorCode.Timeout,
      message: `no ${code === 'UND_ERR_BODY_TIMEOUT' ? 'complete body' : 'response'} from ${host} in time`,
      method,
      path,
      host,
      mayHaveReachedServer: true,
      cause: error,
    });
  }
  // Anything else after the connector succeeded (socket reset mid-request, parser error) may
  // have reached pveproxy.
  return new PveError({
    code: PveErrorCode.Connection,
    message: `connection to ${host} failed after the request was sent: ${typeof code === 'string' ? `${code}: ` : ''}${reason}`,
    method,
    path,
    host,
    mayHaveReachedServer: true,
    cause: error,
  });
}
