import { type Dispatcher, Pool } from 'undici';
import type { z } from 'zod';
import type { Logger } from '../logger.js';
import { silentLogger } from '../logger.js';
import { encodeParams, type PveParams } from './encode-params.js';
import { mapPveError } from './map-pve-error.js';
import { createPveConnector, type PveTlsMode } from './pve-connector.js';
import { isPveError, PveError, PveErrorCode } from './pve-error.js';
import { pveHeadersInterceptor } from './pve-headers-interceptor.js';
import { type PveRequestListener, publishPveRequest } from './request-observer.js';
import { defaultUserAgent } from './user-agent.js';
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
  const tls = chooseTlsMode(options);
  if (tls.kind === 'insecure') {
    logger.warn(
      { hosts: options.hosts },
      'PVE TLS certificate verification is DISABLED for this client (insecureSkipTlsVerify); anyone on the path can read the API token',
    );
  }
  const origins = options.hosts.map(toOrigin);
  if (origins.length === 0) throw configError('at least one PVE host is required');
  if (!/^[^@\s]+@[^!\s]+![^\s=]+$/.test(options.tokenId)) {
    throw configError('tokenId must look like user@realm!tokenname');
  }
  if (!options.tokenSecret) throw configError('tokenSecret is required');

  const requestTimeoutMs = options.requestTimeoutMs ?? 35_000;
  const connector = createPveConnector({
    tls,
    connectTimeoutMs: options.connectTimeoutMs ?? 5_000,
    onFingerprintMismatch: (host, fingerprint) =>
      logger.warn({ host, fingerprint }, 'PVE host presented a certificate that is not pinned; host skipped'),
  });
  const pools = origins.map(
    (origin) =>
      new Pool(origin, {
        connect: connector,
        connections: options.connectionsPerHost ?? 8,
        headersTimeout: requestTimeoutMs,
        bodyTimeout: requestTimeoutMs,
      }),
  );
  const headers = pveHeadersInterceptor({
    tokenId: options.tokenId,
    tokenSecret: options.tokenSecret,
    userAgent: options.userAgent ?? defaultUserAgent(),
  });
  const dispatchers: Dispatcher[] = pools.map((pool) => pool.compose(headers));
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
      const data = parseData(text, request.schema, { method, path, host, statusCode: status });
      publishPveRequest(
        { method, path, host, status, durationMs: performance.now() - started },
        options.onRequest,
      );
      return data;
    } catch (error) {
      const mapped = toPveError(error, { method, path, host, signal: request.signal });
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
          if (error.code !== PveErrorCode.Tls) {
            logger.warn(
              { host, method, path, code: error.code, reason: error.message },
              'PVE host failed; trying the next one',
            );
          }
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

function chooseTlsMode(options: PveTransportOptions): PveTlsMode {
  const fingerprints = options.fingerprints?.filter((f) => f.trim() !== '') ?? [];
  const modes = [fingerprints.length > 0, Boolean(options.caPem), options.insecureSkipTlsVerify === true];
  if (modes.filter(Boolean).length > 1) {
    throw configError('choose one of fingerprints, caPem or insecureSkipTlsVerify');
  }
  if (fingerprints.length > 0) {
    const bad = fingerprints.find((f) => !/^([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$/.test(f.trim()));
    if (bad !== undefined)
      throw configError(`invalid SHA-256 fingerprint "${bad}" (expected AA:BB:… with 32 bytes)`);
    return { kind: 'fingerprint', fingerprints };
  }
  if (options.caPem) return { kind: 'ca', caPem: options.caPem };
  if (options.insecureSkipTlsVerify === true) return { kind: 'insecure' };
  throw configError(
    'TLS verification needs fingerprints (PVE_FINGERPRINTS) or the cluster CA (PVE_CA_FILE); insecureSkipTlsVerify must be explicit',
  );
}

function toOrigin(host: string): string {
  const url = new URL(/^[a-z]+:\/\//i.test(host) ? host : `https://${host}`);
  if (url.protocol !== 'https:') throw configError(`PVE host "${host}" must use https`);
  return `https://${url.hostname}:${url.port || '8006'}`;
}

function configError(message: string): PveError {
  return new PveError({ code: PveErrorCode.Config, message });
}

function parseData<S extends z.ZodType>(
  text: string,
  schema: S,
  where: { method: string; path: string; host: string; statusCode: number },
): z.output<S> {
  let envelope: unknown;
  try {
    envelope = JSON.parse(text);
  } catch {
    throw new PveError({
      ...where,
      code: PveErrorCode.BadResponse,
      message: `${where.path}: response is not JSON`,
    });
  }
  const data =
    typeof envelope === 'object' && envelope !== null ? (envelope as { data?: unknown }).data : undefined;
  const result = schema.safeParse(data);
  if (!result.success) {
    const summary = result.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
      .join('; ');
    throw new PveError({
      ...where,
      code: PveErrorCode.BadResponse,
      message: `${where.method} ${where.path}: unexpected response (${summary})`,
      issues: result.error.issues,
    });
  }
  return result.data;
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

function toPveError(
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
