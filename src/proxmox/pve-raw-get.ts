// A read-only, unparsed PVE client for `pve-chatops pve-record`: the same TLS modes, token header,
// keep-alive pools and failover as the transport (pve-transport.ts), but it returns the status
// line and the body text exactly as PVE sent them, error answers included, and it can only GET.
//
// Read-only is enforced twice: the object has no method that takes an HTTP method (only `get`),
// and every dispatcher goes through `getOnlyInterceptor`, which refuses anything but GET before a
// byte is written.

import { type Dispatcher, Pool } from 'undici';
import type { Logger } from '../logger.js';
import { silentLogger } from '../logger.js';
import { encodeParams, type PveParams } from './encode-params.js';
import { createPveConnector } from './pve-connector.js';
import { PveError, PveErrorCode } from './pve-error.js';
import { pveHeadersInterceptor } from './pve-headers-interceptor.js';
import type { PveTransportOptions } from './pve-transport.js';
import { toTransportError } from './to-transport-error.js';
import { chooseTlsMode, configError, toOrigin } from './transport-config.js';
import { defaultUserAgent } from './user-agent.js';
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
  const tls = chooseTlsMode(options);
  if (tls.kind === 'insecure') {
    logger.warn(
      { hosts: options.hosts },
      'PVE TLS certificate verification is DISABLED for this client (insecureSkipTlsVerify)',
    );
  }
  const origins = options.hosts.map(toOrigin);
  if (origins.length === 0) throw configError('at least one PVE host is required');
  if (!/^[^@\s]+@[^!\s]+![^\s=]+$/.test(options.tokenId)) {
    throw configError('tokenId must look like user@realm!tokenname');
  }
  if (!options.tokenSecret) throw configError('tokenSecret is required');
  const requestTimeoutMs = options.requestTimeoutMs ?? 35_000;
  const connector = createPveConnector({ tls, connectTimeoutMs: options.connectTimeoutMs ?? 5_000 });
  const pools = origins.map(
    (origin) =>
      new Pool(origin, {
        connect: connector,
        connections: 2,
        headersTimeout: requestTimeoutMs,
        bodyTimeout: requestTimeoutMs,
      }),
  );
  const headers = pveHeadersInterceptor({
    tokenId: options.tokenId,
    tokenSecret: options.tokenSecret,
    userAgent: options.userAgent ?? defaultUserAgent(),
  });
  const dispatchers = pools.map((pool) => pool.compose(getOnlyInterceptor(), headers));
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
