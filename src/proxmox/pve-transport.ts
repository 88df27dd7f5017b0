import type { z } from 'zod';
import type { Logger } from '../logger.js';
import { silentLogger } from '../logger.js';
import { encodeParams, type PveParams } from './encode-params.js';
import { mapPveError } from './map-pve-error.js';
import { parseEnvelope } from './parse-envelope.js';
import { PveErrorCode } from './pve-error.js';
import { createPvePools } from './pve-pools.js';
import { type PveRequestListener, publishPveRequest } from './request-observer.js';
import { toTransportError } from './to-transport-error.js';
import { withFailover } from './with-failover.js';

export type PveMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface PveTransportOptions {
  /** `https://host:8006` (port defaults to 8006), tried in turn; the last one that worked sticks. */
  hosts: string[];
  /** `user@realm!tokenname`. */
  tokenId: string;
  tokenSecret: string;
  /** Pinned SHA-256 leaf fingerprints, `AA:BB:…` (e.g. `ssl_fingerprint` from GET /nodes). */
  fingerprints?: string[];
  /** The cluster CA (`/etc/pve/pve-root-ca.pem`): normal verification including the host name. */
  caPem?: string;
  /** Disables certificate verification for this client only; logged as a warning. */
  insecureSkipTlsVerify?: boolean;
  connectTimeoutMs?: number;
  /** Headers and body timeout; pveproxy gives up on a proxied call after 30 s. */
  requestTimeoutMs?: number;
  /** Keep-alive connections per host. */
  connectionsPerHost?: number;
  logger?: Logger;
  userAgent?: string;
  onRequest?: PveRequestListener;
}

export interface PveRequestOptions<S extends z.ZodType> {
  params?: PveParams;
  schema: S;
  signal?: AbortSignal;
}

export interface PveTransport {
  readonly hosts: readonly string[];
  request<S extends z.ZodType>(
    method: PveMethod,
    path: string,
    options: PveRequestOptions<S>,
  ): Promise<z.output<S>>;
  close(): Promise<void>;
}

const API_PREFIX = '/api2/json';

export function createPveTransport(options: PveTransportOptions): PveTransport {
  const logger = options.logger ?? silentLogger;
  const { origins, pools, dispatchers } = createPvePools(options, {
    connectionsPerHost: options.connectionsPerHost ?? 8,
  });
  let sticky = 0;

  async function attempt<S extends z.ZodType>(
    index: number,
    method: PveMethod,
    path: string,
    request: PveRequestOptions<S>,
  ): Promise<z.output<S>> {
    const host = origins[index] ?? '';
    const encoded = encodeParams(request.params);
    const hasBody = method === 'POST' || method === 'PUT';
    const query = !hasBody && encoded ? `?${encoded}` : '';
    const started = performance.now();
    let status: number | undefined;
    try {
      const response = await dispatchers[index]!.request({
        origin: host,
        path: `${API_PREFIX}${path}${query}`,
        method,
        // A string body gets a Content-Length; pveproxy refuses chunked uploads with 501.
        ...(hasBody
          ? { body: encoded, headers: { 'content-type': 'application/x-www-form-urlencoded' } }
          : {}),
        signal: request.signal,
      });
      status = response.statusCode;
      const text = await response.body.text();
      if (status < 200 || status > 299) {
        throw mapPveError({
          statusCode: status,
          statusText: response.statusText,
          body: text,
          method,
          path,
          host,
        });
      }
      const data = parseEnvelope(text, request.schema, { method, path, host, statusCode: status });
      publishPveRequest(
        { method, path, host, status, durationMs: performance.now() - started },
        options.onRequest,
      );
      return data;
    } catch (error) {
      const mapped = toTransportError(error, { method, path, host, signal: request.signal });
      publishPveRequest(
        { method, path, host, status, errorCode: mapped.code, durationMs: performance.now() - started },
        options.onRequest,
      );
      throw mapped;
    }
  }

  return {
    hosts: origins,
    async request(method, path, request) {
      const { value, index } = await withFailover({
        hosts: origins,
        startIndex: sticky,
        idempotent: method === 'GET',
        attempt: (i) => attempt(i, method, path, request),
        onHostFailed: (host, error) => {
          logger.warn(
            { host, method, path, code: error.code, reason: error.message },
            error.code === PveErrorCode.Tls
              ? 'PVE host certificate refused (not pinned or not signed by the CA); host skipped'
              : 'PVE host failed; trying the next one',
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
