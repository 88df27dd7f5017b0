// What every PVE client of ours sets up the same way: the options checked, TLS chosen (pinned
// fingerprints, the cluster CA, or an explicit and logged opt-out), one undici pool per host with
// the token and user-agent headers. The full transport and pve-record's read-only client differ
// only in what they do with the dispatchers.
import { type Dispatcher, Pool } from 'undici';
import { type Logger, silentLogger } from '../logger.js';
import { createPveConnector } from './pve-connector.js';
import { pveHeadersInterceptor } from './pve-headers-interceptor.js';
import { chooseTlsMode, configError, toOrigin } from './transport-config.js';
import { defaultUserAgent } from './user-agent.js';

export interface PvePoolOptions {
  hosts: string[];
  tokenId: string;
  tokenSecret: string;
  fingerprints?: string[];
  caPem?: string;
  insecureSkipTlsVerify?: boolean;
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
  userAgent?: string;
  logger?: Logger;
}

export interface PvePools {
  /** `https://host:port` per host, in the order given. */
  origins: string[];
  pools: Pool[];
  /** Each pool with the given interceptors, then the token headers. */
  dispatchers: Dispatcher[];
}

export function createPvePools(
  options: PvePoolOptions,
  extra: { connectionsPerHost: number; interceptors?: Dispatcher.DispatcherComposeInterceptor[] },
): PvePools {
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
  const connector = createPveConnector({ tls, connectTimeoutMs: options.connectTimeoutMs ?? 5_000 });
  const pools = origins.map(
    (origin) =>
      new Pool(origin, {
        connect: connector,
        connections: extra.connectionsPerHost,
        headersTimeout: requestTimeoutMs,
        bodyTimeout: requestTimeoutMs,
      }),
  );
  const headers = pveHeadersInterceptor({
    tokenId: options.tokenId,
    tokenSecret: options.tokenSecret,
    userAgent: options.userAgent ?? defaultUserAgent(),
  });
  const dispatchers = pools.map((pool) => pool.compose(...(extra.interceptors ?? []), headers));
  return { origins, pools, dispatchers };
}
