// A read-only, unparsed PVE client for `pve-chatops pve-record`: the same TLS modes, token header,
// keep-alive pools and failover as the transport (pve-transport.ts), but it returns the status
// line and the body text exactly as PVE sent them, error answers included, and it can only GET.
//
// Read-only is enforced twice: the object has no method that takes an HTTP method (only `get`),
// and every dispatcher goes through `getOnlyInterceptor`, which refuses anything but GET before a
// byte is written.

import type { Dispatcher } from 'undici';
import type { Logger } from '../logger.js';
import { silentLogger } from '../logger.js';
import { encodeParams, type PveParams } from './encode-params.js';
import { PveError, PveErrorCode } from './pve-error.js';
import { createPvePools } from './pve-pools.js';
import type { PveTransportOptions } from './pve-transport.js';
import { toTransportError } from './to-transport-error.js';
import { withFailover } from './with-failover.js';

/** One answer as it came over the wire. */
export interface PveRawAnswer {
  /** The origin that answered. */
  host: string;
  status: number;
  /** The reason phrase of the status line (PVE puts its error message there). */
  statusText: string;
  /** The body text, '' when there was none. */
  body: string;
}

/** What the recorder gets: GET and nothing else. */
export interface PveReadOnlyTransport {
  readonly hosts: readonly string[];
  /** `path` below /api2/json (segments already encoded, see pvePath); `params` go in the query. */
  get(path: string, params?: PveParams, signal?: AbortSignal): Promise<PveRawAnswer>;
  close(): Promise<void>;
}

const API_PREFIX = '/api2/json';

/** Refuses every method but GET, before anything is sent. */
export function getOnlyInterceptor(): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) => (opts, handler) => {
    if (String(opts.method).toUpperCase() !== 'GET') {
      throw new PveError({
        code: PveErrorCode.Config,
        message: `read-only PVE client: ${String(opts.method)} ${String(opts.path)} refused (GET only)`,
      });
    }
    return dispatch(opts, handler);
  };
}

export type PveReadOnlyOptions = Pick<
  PveTransportOptions,
  | 'hosts'
  | 'tokenId'
  | 'tokenSecret'
  | 'fingerprints'
  | 'caPem'
  | 'insecureSkipTlsVerify'
  | 'connectTimeoutMs'
  | 'requestTimeoutMs'
  | 'userAgent'
> & { logger?: Logger };

export function createPveReadOnlyTransport(options: PveReadOnlyOptions): PveReadOnlyTransport {
  const logger = options.logger ?? silentLogger;
  // Two connections a host: the recorder reads one request after another.
  const { origins, pools, dispatchers } = createPvePools(options, {
    connectionsPerHost: 2,
    interceptors: [getOnlyInterceptor()],
  });
  let sticky = 0;

  async function attempt(index: number, path: string, query: string, signal?: AbortSignal) {
    const host = origins[index] ?? '';
    try {
      const response = await dispatchers[index]!.request({
        origin: host,
        path: `${API_PREFIX}${path}${query}`,
        method: 'GET',
        signal,
      });
      const body = await response.body.text();
      return { host, status: response.statusCode, statusText: response.statusText ?? '', body };
    } catch (error) {
      throw toTransportError(error, { method: 'GET', path, host, signal });
    }
  }

  return {
    hosts: origins,
    async get(path, params, signal) {
      const encoded = encodeParams(params);
      const query = encoded ? `?${encoded}` : '';
      const { value, index } = await withFailover({
        hosts: origins,
        startIndex: sticky,
        idempotent: true,
        attempt: (i) => attempt(i, path, query, signal),
        onHostFailed: (host, error) => {
          logger.warn(
            { host, path, code: error.code, reason: error.message },
            'PVE host failed; trying the next one',
          );
        },
      });
      sticky = index;
      return value;
    },
    async close() {
      await Promise.all(pools.map((pool) => pool.close()));
    },
  };
}
