import type { Dispatcher } from 'undici';

export interface PveHeadersOptions {
  tokenId: string;
  tokenSecret: string;
  userAgent: string;
}

/**
 * An undici interceptor that adds the API-token header and the User-Agent to every request, so
 * the secret lives in exactly one closure and never in a request description, log or error.
 * API tokens need no CSRF token (`HTTPServer.pm`: "stateless API access").
 */
export function pveHeadersInterceptor(options: PveHeadersOptions): Dispatcher.DispatcherComposeInterceptor {
  const added: Record<string, string> = {
    authorization: `PVEAPIToken=${options.tokenId}=${options.tokenSecret}`,
    'user-agent': options.userAgent,
    accept: 'application/json',
  };
  return (dispatch) => (opts, handler) => {
    const headers = { ...toRecord(opts.headers), ...added };
    return dispatch({ ...opts, headers }, handler);
  };
}

function toRecord(headers: Dispatcher.DispatchOptions['headers']): Record<string, string> {
  if (!headers) return {};
  const record: Record<string, string> = {};
  if (Array.isArray(headers)) {
    for (let i = 0; i + 1 < headers.length; i += 2)
      record[String(headers[i]).toLowerCase()] = String(headers[i + 1]);
    return record;
  }
  const entries =
    Symbol.iterator in (headers as object)
      ? Array.from(headers as Iterable<[string, string | string[] | undefined]>)
      : Object.entries(headers as Record<string, string | string[] | undefined>);
  for (const [key, value] of entries) {
    if (value !== undefined)
      record[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return record;
}
