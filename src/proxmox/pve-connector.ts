import type { TLSSocket } from 'node:tls';
import { buildConnector } from 'undici';
import { PveError, PveErrorCode } from './pve-error.js';

/** How the server's certificate is checked; exactly one mode is chosen at construction. */
export type PveTlsMode =
  | { kind: 'fingerprint'; fingerprints: string[] }
  | { kind: 'ca'; caPem: string }
  | { kind: 'insecure' };

export interface PveConnectorOptions {
  tls: PveTlsMode;
  connectTimeoutMs: number;
}

/** "aa:bb…" or "AABB…" → "AA:BB:…", the format of Node's `fingerprint256` and of PVE. */
export function normalizeFingerprint(fingerprint: string): string {
  const hex = fingerprint.replace(/[^0-9a-fA-F]/g, '').toUpperCase();
  return hex.match(/.{2}/g)?.join(':') ?? '';
}

// OpenSSL's verification failures and Node's TLS errors: the server answered but was not trusted.
const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
]);

function isTlsFailure(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string') return false;
  return TLS_CODES.has(code) || code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_');
}

/**
 * A connector for undici's `connect` option. Every failure here happens before a single request
 * byte is written, so it comes back as a PveError with code PVE_CONNECTION or PVE_TLS, which the
 * failover logic reads as "this host is unusable, the request was not sent".
 *
 * Fingerprint pinning connects with `rejectUnauthorized: false` and checks the leaf's SHA-256 in
 * the connect callback, because Node never calls `checkServerIdentity` when chain verification
 * fails (self-signed PVE certificates always fail it). This is what pve-apiclient's
 * `cached_fingerprints` and pveproxy's own node-to-node forwarding do.
 */
export function createPveConnector(options: PveConnectorOptions): buildConnector.connector {
  const { tls } = options;
  const pinned = tls.kind === 'fingerprint' ? new Set(tls.fingerprints.map(normalizeFingerprint)) : null;
  const connect = buildConnector({
    timeout: options.connectTimeoutMs,
    rejectUnauthorized: tls.kind === 'ca',
    // A resumed TLS session carries no certificate (`getPeerCertificate()` is empty), so with
    // pinning every connection must do a full handshake for its fingerprint to be checked.
    ...(pinned ? { maxCachedSessions: 0 } : {}),
    ...(tls.kind === 'ca' ? { ca: tls.caPem } : {}),
  });

  return (connectOptions, callback) => {
    const host = `${connectOptions.hostname}:${connectOptions.port}`;
    const fail = (error: unknown) => {
      const code = isTlsFailure(error) ? PveErrorCode.Tls : PveErrorCode.Connection;
      callback(new PveError({ code, message: describeConnectError(error), host, cause: error }), null);
    };
    try {
      connectWith(connectOptions, host, fail, callback);
    } catch (error) {
      // tls.connect throws synchronously on e.g. an unreadable CA: still "nothing was sent".
      fail(error);
    }
  };

  function connectWith(
    connectOptions: buildConnector.Options,
    host: string,
    fail: (error: unknown) => void,
    callback: buildConnector.Callback,
  ): void {
    connect(connectOptions, (error, socket) => {
      if (error || !socket) {
        fail(error);
        return;
      }
      if (pinned) {
        const fingerprint = (socket as TLSSocket).getPeerCertificate().fingerprint256 ?? '';
        if (!pinned.has(normalizeFingerprint(fingerprint))) {
          socket.destroy();
          callback(
            new PveError({
              code: PveErrorCode.Tls,
              message: `certificate fingerprint ${fingerprint || '(none)'} is not pinned`,
              host,
            }),
            null,
          );
          return;
        }
      }
      callback(null, socket);
    });
  }
}

function describeConnectError(error: unknown): string {
  if (!(error instanceof Error)) return 'connection failed';
  const code = (error as { code?: unknown }).code;
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return 'connect timeout';
  return typeof code === 'string' ? `${code}: ${error.message}` : error.message;
}
